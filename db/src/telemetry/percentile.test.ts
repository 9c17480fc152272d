import { describe, expect, it } from 'vitest';
import { Latencies, latencyPercentiles, percentiles } from './percentile.js';

/** The definition: sort, then interpolate between the two nearest ranks. */
function bySorting(values: number[], level: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = level * (sorted.length - 1);
  const lower = Math.floor(index);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const fraction = index - lower;
  return sorted[lower]! * (1 - fraction) + sorted[upper]! * fraction;
}

describe('percentiles', () => {
  it('equal what sorting gives, exactly, on random, repeated, ordered and reversed values, which they reorder in place', () => {
    const levels = [0, 0.01, 0.5, 0.95, 0.99, 1];
    const cases: number[][] = [
      [7],
      [3, 1],
      Array.from({ length: 1001 }, () => Math.round(Math.random() * 400 * 1000) / 1000),
      Array.from({ length: 5000 }, (_, i) => i % 7),
      Array.from({ length: 2000 }, (_, i) => i / 3),
      Array.from({ length: 2000 }, (_, i) => 2000 - i),
      Array.from({ length: 300 }, () => 42),
    ];
    for (const values of cases) {
      const taken = Float64Array.from(values);
      expect(percentiles(taken, levels)).toEqual(levels.map((level) => bySorting(values, level)));
      // Reordered in place, none lost or changed.
      expect([...taken].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('answer levels in the order asked, equal levels included', () => {
    const values = Array.from({ length: 3001 }, () => Math.random() * 1000);
    const levels = [0.99, 0.5, 0.95, 0.5, 0, 1, 0.25];
    expect(percentiles(Float64Array.from(values), levels)).toEqual(levels.map((level) => bySorting(values, level)));
  });

  it('are null without values', () => {
    expect(latencyPercentiles(new Float64Array(0))).toEqual({ p50: null, p95: null, p99: null });
    expect(latencyPercentiles(Float64Array.of(1, 2, 3, 4))).toEqual({ p50: 2.5, p95: bySorting([1, 2, 3, 4], 0.95), p99: bySorting([1, 2, 3, 4], 0.99) });
  });

  it('are taken over every latency collected, past the size given and with none', () => {
    for (const capacity of [undefined, 0, 3, 1000]) {
      const latencies = new Latencies(capacity);
      const values = Array.from({ length: 777 }, (_, i) => (i * 37) % 101);
      for (const value of values) latencies.push(value);
      expect([...latencies.taken()].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
      expect(latencyPercentiles(latencies.taken()).p95).toBe(bySorting(values, 0.95));
    }
    expect(new Latencies(10).taken().length).toBe(0);
  });
});
