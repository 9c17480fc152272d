/** The analytics time ranges. */
export const RANGES = [
  { id: '1h', label: '1h', hours: 1, words: 'the last hour' },
  { id: '24h', label: '24h', hours: 24, words: 'the last 24 hours' },
  { id: '7d', label: '7d', hours: 168, words: 'the last 7 days' },
] as const;

export type RangeId = (typeof RANGES)[number]['id'];
export type Range = (typeof RANGES)[number];

export function rangeById(id: string | null): Range {
  return RANGES.find((r) => r.id === id) ?? RANGES[1];
}
