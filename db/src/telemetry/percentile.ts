/**
 * The percentile of sorted values with linear interpolation between the two
 * nearest ranks (the "R-7" definition), which is what ClickHouse's
 * `quantiles` computes exactly while it holds fewer than 8192 values.
 */
export function percentile(sorted: readonly number[], level: number): number | null {
  if (sorted.length === 0) return null;
  const index = level * (sorted.length - 1);
  const lower = Math.floor(index);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const fraction = index - lower;
  return sorted[lower]! * (1 - fraction) + sorted[upper]! * fraction;
}

export function latencyPercentiles(values: number[]): { p50: number | null; p95: number | null; p99: number | null } {
  const sorted = values.slice().sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}
