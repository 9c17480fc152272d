/** What V8 spends on an object before its fields (header, hidden class share, map slot). */
export const OBJECT_BYTES = 64;
/** A field's slot, or a number's heap box. */
export const SLOT_BYTES = 16;

/** A string's share of the estimate: a header, and two bytes a character. */
export const stringBytes = (value: string): number => 16 + value.length * 2;

/**
 * A deliberately high estimate of the heap a telemetry row holds: strings
 * counted at two bytes a character (V8 keeps non-Latin-1 text that way) plus
 * a header, every field a slot. The memory store bounds its rows by this, so
 * a flood of large rows (2 KiB URLs, long titles) cannot grow the heap the
 * way a row count alone would allow.
 */
export function estimateRowBytes(row: object): number {
  let bytes = OBJECT_BYTES;
  // for…in, not Object.values: the memory store estimates every row twice (kept, then evicted),
  // and an array of its values each time was a per-request allocation. Rows are plain objects
  // (no enumerable inherited keys), so the keys are the same.
  for (const key in row) {
    const value: unknown = (row as Record<string, unknown>)[key];
    bytes += SLOT_BYTES;
    if (typeof value === 'string') bytes += stringBytes(value);
    else if (typeof value === 'object' && value !== null) bytes += estimateRowBytes(value);
  }
  return bytes;
}
