import { describe, expect, it } from 'vitest';
import { measureMemoryQueries, QUERY_BLOCK_TARGET_MS, queryChecks } from './memory-queries.js';

describe('memory-store query figures', () => {
  it('passes a query whose longest hold of the loop is under the target, whatever its whole time', () => {
    const checks = queryChecks([
      { query: 'overview', totalMs: 40, longestBlockMs: QUERY_BLOCK_TARGET_MS - 0.1 },
      { query: 'geo', totalMs: 5, longestBlockMs: QUERY_BLOCK_TARGET_MS },
    ]);
    expect(checks.map((c) => [c.value, c.pass])).toEqual([
      ['4.9 ms', true],
      ['5.0 ms', false],
    ]);
    expect(checks[0]!.label).toContain('40.0 ms');
  });

  it('times every query over a filled store, each hold no longer than the query', async () => {
    const results = await measureMemoryQueries(10_000, 1);
    expect(results.map((r) => r.query)).toEqual(['overview', 'timeseries (minute)', 'top endpoints', 'geo', 'session history']);
    for (const r of results) {
      expect(r.totalMs).toBeGreaterThan(0);
      expect(r.longestBlockMs).toBeLessThanOrEqual(r.totalMs);
    }
  });
});
