import { describe, expect, it } from 'vitest';
import { Tally } from './stats.js';

describe('Tally', () => {
  it('sorts answers into ok (2xx/3xx), 429 and other, and network errors into other', () => {
    const tally = new Tally();
    for (const status of [200, 204, 302, 399, 429, 429, 403, 503, 100]) tally.record({ status, ms: 5 });
    tally.record({ error: 'ECONNREFUSED', ms: 1 });
    tally.record({ error: 'ECONNREFUSED', ms: 1 });
    expect(tally.counts()).toMatchObject({
      ok: 4,
      rateLimited: 2,
      other: 5,
      otherKinds: { 'status 403': 1, 'status 503': 1, 'status 100': 1, ECONNREFUSED: 2 },
    });
    expect(tally.finished).toBe(11);
  });

  it('averages answer latency and takes its 95th percentile; errors add no latency', () => {
    const tally = new Tally();
    for (let ms = 1; ms <= 100; ms++) tally.record({ status: 200, ms });
    tally.record({ error: 'ETIMEDOUT', ms: 10_000 });
    const counts = tally.counts();
    expect(counts.avgMs).toBeCloseTo(50.5, 1);
    expect(counts.p95Ms).toBeCloseTo(95, 0);
  });

  it('has no latency without answers, and forgets everything on reset', () => {
    const tally = new Tally();
    expect(tally.active).toBe(false);
    expect(tally.counts()).toMatchObject({ avgMs: null, p95Ms: null });
    tally.sent = 3;
    tally.skipped = 1;
    tally.record({ status: 429, ms: 2 });
    expect(tally.active).toBe(true);
    tally.reset();
    expect(tally.counts()).toEqual({ sent: 0, ok: 0, rateLimited: 0, other: 0, skipped: 0, avgMs: null, p95Ms: null, otherKinds: {} });
    expect(tally.active).toBe(false);
  });
});
