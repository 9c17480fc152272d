/*
 * Value cleaners every stored row goes through, so a hostile or broken row
 * (huge strings, lone surrogates, NaN) is stored the same, safe way in every
 * store and can never make ClickHouse reject a whole batch.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Cheap first look: almost every string has no surrogate at all, and skips the replace. */
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/** A string of at most `max` UTF-16 units, with no lone surrogates (they have no UTF-8 form). */
export function text(value: unknown, max: number): string {
  const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  const cut = s.length > max ? s.slice(0, max) : s;
  return ANY_SURROGATE.test(cut) ? cut.replace(LONE_SURROGATE, '\uFFFD') : cut;
}

/** A non-negative safe integer (0 for anything else). */
export function count(value: unknown): number {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) && n > 0 ? Math.min(n, Number.MAX_SAFE_INTEGER) : 0;
}

/** A non-negative finite number (0 for anything else). */
export function ms(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
