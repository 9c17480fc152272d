/**
 * Percentiles with linear interpolation between the two nearest ranks (the
 * "R-7" definition), which is what ClickHouse's `quantiles` computes exactly
 * while it holds fewer than 8192 values.
 *
 * Found by selection, not by sorting: sorting 100,000 latencies took ~8 ms
 * on the proxy's event loop (the memory store's overview shares it, #16),
 * either as an array with a comparator or as a Float64Array; selecting the
 * ranks a level needs is linear.
 */
export function percentiles(values: ArrayLike<number>, levels: readonly number[]): Array<number | null> {
  if (values.length === 0) return levels.map(() => null);
  const a = Float64Array.from(values);
  return levels.map((level) => {
    const index = level * (a.length - 1);
    const lower = Math.floor(index);
    const fraction = index - lower;
    select(a, lower);
    // Everything after `lower` is at least a[lower]: the next rank is the least of them.
    let upper = a[lower]!;
    if (lower + 1 < a.length) {
      upper = Number.POSITIVE_INFINITY;
      for (let i = lower + 1; i < a.length; i++) if (a[i]! < upper) upper = a[i]!;
    }
    return a[lower]! * (1 - fraction) + upper * fraction;
  });
}

export function latencyPercentiles(values: ArrayLike<number>): { p50: number | null; p95: number | null; p99: number | null } {
  const [p50, p95, p99] = percentiles(values, [0.5, 0.95, 0.99]);
  return { p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}

/**
 * Rearranges `a` so that a[k] holds the k-th smallest value, with none
 * greater before it and none smaller after it (Hoare's selection). The pivot
 * is drawn at random: latencies come from clients, and a fixed pivot rule
 * has inputs that make it quadratic.
 */
function select(a: Float64Array, k: number): void {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const pivot = a[left + Math.floor(Math.random() * (right - left + 1))]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[left..j] ≤ pivot ≤ a[i..right], and what lies between equals the pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}
