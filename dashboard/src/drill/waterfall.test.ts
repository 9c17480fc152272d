import type { HarEntry } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { pathOf, waterfallOf } from './waterfall.js';

function entry(startedDateTime: string, blocked: number, wait: number, receive: number, extra: Partial<HarEntry['_downspin']> = {}): HarEntry {
  return {
    startedDateTime,
    time: blocked + wait + receive,
    request: { method: 'GET', url: `http://app.test/api/${startedDateTime}?q=1` },
    response: { status: 200 },
    timings: { blocked, dns: -1, connect: -1, ssl: -1, send: 0, wait, receive },
    comment: 'downspin: latency 300 ms',
    _downspin: {
      shaping: 'downspin: latency 300 ms',
      shapingVersion: 1,
      injectedMs: blocked,
      upstreamMs: wait,
      totalMs: blocked + wait + receive,
      fault: '',
      error: '',
      bytesIn: 0,
      bytesOut: 10,
      ...extra,
    },
  };
}

const t0 = Date.parse('2026-12-05T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

describe('waterfallOf', () => {
  it('splits each bar into injected, upstream and transfer, and says it in words', () => {
    const { rows } = waterfallOf([entry(at(0), 300, 12, 3)]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.segments.map((s) => [s.kind, s.ms])).toEqual([
      ['injected', 300],
      ['upstream', 12],
      ['transfer', 3],
    ]);
    expect(rows[0]!.words).toBe('injected 300 ms, upstream 12 ms, transfer 3 ms');
    expect(rows[0]!.path).toBe(`/api/${at(0)}?q=1`);
  });

  it('puts every request on one axis from the first start to the last end', () => {
    // 0..400 ms and 600..1000 ms: a 1000 ms axis.
    const w = waterfallOf([entry(at(600), 200, 100, 100), entry(at(0), 100, 200, 100)]);
    expect(w.spanMs).toBe(1000);
    expect(w.startMs).toBe(t0);
    expect(w.rows.map((r) => r.leftPercent)).toEqual([0, 60]);
    expect(w.rows.map((r) => r.widthPercent)).toEqual([40, 40]);
    expect(w.rows[1]!.segments.map((s) => s.widthPercent)).toEqual([20, 10, 10]);
  });

  it('counts unmeasured (-1) timings as none', () => {
    const { rows } = waterfallOf([entry(at(0), -1, 50, -1)]);
    expect(rows[0]!.segments.map((s) => s.ms)).toEqual([0, 50, 0]);
    expect(rows[0]!.widthPercent).toBe(100);
  });

  it('keeps the latest rows beyond the cap and counts the rest', () => {
    const entries = Array.from({ length: 7 }, (_, i) => entry(at(i * 100), 10, 10, 10));
    const w = waterfallOf(entries, 3);
    expect(w.rows).toHaveLength(3);
    expect(w.leftOut).toBe(4);
    expect(w.startMs).toBe(t0 + 400);
    expect(w.rows[0]!.path).toContain(at(400));
  });

  it('shows faults and errors, and counts an entry with no parsable start as left out', () => {
    const w = waterfallOf([entry(at(0), 0, 5, 0, { fault: 'reset', error: 'upstream_reset' }), entry('not a date', 1, 1, 1)]);
    expect(w.rows).toHaveLength(1);
    expect(w.leftOut).toBe(1);
    expect([w.rows[0]!.fault, w.rows[0]!.error]).toEqual(['reset', 'upstream_reset']);
  });

  it('draws nothing for no requests', () => {
    expect(waterfallOf([])).toEqual({ rows: [], leftOut: 0, startMs: 0, spanMs: 0 });
  });

  it('gives an instant request a visible axis', () => {
    const w = waterfallOf([entry(at(0), 0, 0, 0)]);
    expect(w.spanMs).toBe(1);
  });

  it('keeps a URL that does not parse as it is', () => {
    expect(pathOf('/relative?x')).toBe('/relative?x');
  });
});
