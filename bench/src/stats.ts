import * as hdr from 'hdr-histogram-js';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** p50 and p99 of millisecond samples, through an HDR histogram at microsecond resolution. */
export function percentilesMs(samples: readonly number[]): { p50: number; p99: number; max: number } {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  for (const ms of samples) histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  const result = {
    p50: histogram.getValueAtPercentile(50) / 1000,
    p99: histogram.getValueAtPercentile(99) / 1000,
    max: histogram.maxValue / 1000,
  };
  histogram.destroy();
  return result;
}
