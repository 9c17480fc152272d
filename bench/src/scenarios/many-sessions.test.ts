import { describe, expect, it } from 'vitest';
import { levelledGrowthMiB, manySessionsLegs, manySessionsReport, type LegResult } from './many-sessions.js';

const p = (p99: number) => ({ p50: 0, p99, max: p99 });
const leg = (over: Partial<LegResult>): LegResult => ({
  deployment: 'embedded',
  sessions: 1000,
  rate: 1000,
  durationSec: 10,
  sent: 10_000,
  answered: 10_000,
  failed: 0,
  clientLateness: p(20),
  probeIdle: p(3),
  probeLoaded: p(4),
  eventLoopP99Ms: 12,
  rssStartMiB: 230,
  rssAfterMiB: 300,
  ...over,
});

describe('manySessionsReport', () => {
  it('prints the 10,000-session legs without targets and keeps the targets at 1,000', () => {
    const { lines, checks } = manySessionsReport([
      leg({ lateness: { ...p(4), rows: 10_000 } }),
      leg({ sessions: 10_000, rate: 2000, lateness: { ...p(18), rows: 20_000 }, probeLoaded: p(12) }),
    ]);
    expect(checks.map((c) => c.label)).toEqual([expect.stringMatching(/^embedded, 1,000 .*lateness/), expect.stringMatching(/^embedded, 1,000 .*probe/)]);
    expect(lines.join('\n')).toContain('p99 18.0 ms');
    expect(lines.join('\n')).toContain('no target: #16 sets them for 1,000 sessions');
  });

  it('checks the telemetry lateness where the control API can read it, else the client-side one', () => {
    const { checks } = manySessionsReport([
      leg({ lateness: { ...p(4), rows: 10_000 } }),
      leg({ deployment: 'scale-out', clientLateness: p(9) }),
    ]);
    expect(checks.map((c) => [c.label, c.value, c.pass])).toEqual([
      ['embedded, 1,000 sessions @ 1,000 req/s: lateness p99 (telemetry)', '4.0 ms', true],
      ['embedded, 1,000 sessions @ 1,000 req/s: probe p99 above idle', '1.0 ms', true],
      ['scale-out, 1,000 sessions @ 1,000 req/s: lateness p99 (client-side)', '9.0 ms', false],
      ['scale-out, 1,000 sessions @ 1,000 req/s: probe p99 above idle', '1.0 ms', true],
    ]);
  });

  it('gives the floor of the same size beside each lateness: its own clock beside telemetry, client-side beside client-side', () => {
    const floor = leg({ deployment: 'floor', eventLoopP99Ms: undefined, lateness: { ...p(2.5), rows: 10_000 }, clientLateness: p(11) });
    const { lines, checks } = manySessionsReport([
      floor,
      leg({ lateness: { ...p(4), rows: 10_000 } }),
      leg({ deployment: 'scale-out', clientLateness: p(9) }),
      leg({ sessions: 500, lateness: { ...p(6), rows: 20_000 } }),
    ]);
    expect(checks.filter((c) => c.label.includes('lateness')).map((c) => c.value)).toEqual(['4.0 ms (floor 2.5)', '9.0 ms (floor 11.0)', '6.0 ms']);
    expect(lines.join('\n')).toMatch(/10,000 delayed requests timed\n\s+proxy-side lateness \(its own clock: total − upstream − injected\): p50 0\.0 ms, p99 2\.5 ms/);
  });

  it('prints the floor beside the others without a target, and a missing leg with its reason', () => {
    const { lines, checks } = manySessionsReport([
      leg({ deployment: 'floor', eventLoopP99Ms: undefined }),
      { deployment: 'scale-out', sessions: 1000, rate: 1000, durationSec: 10, missing: 'Redis unreachable' },
    ]);
    expect(checks).toEqual([]);
    expect(lines.join('\n')).toMatch(/floor \(http-proxy-3 \+ one setTimeout\), 1,000 sessions[\s\S]*client-side lateness[\s\S]*left out \(its checks are skipped\): Redis unreachable/);
    expect(lines.join('\n')).not.toMatch(/event-loop delay/);
  });

  it('fails a leg that answered nothing, and judges idle RSS against 200 MiB', () => {
    const { checks } = manySessionsReport([leg({ answered: 0, clientLateness: p(0), rssIdle: { beforeMiB: 210, afterMiB: 300, afterBatchesMiB: [330, 352], sec: 45 } })]);
    expect(checks.find((c) => c.label.includes('lateness'))?.pass).toBe(false);
    expect(checks.find((c) => c.label === 'idle RSS of downspin start')).toMatchObject({ value: '210.0 MiB', pass: false });
    expect(checks.find((c) => c.label.startsWith('idle RSS growth'))).toMatchObject({ value: '22.0 MiB', pass: false });
  });

  it('judges the settled RSS by its last batch: a warm-up first batch is allowed, a still-growing one is not', () => {
    expect(levelledGrowthMiB({ afterMiB: 212, afterBatchesMiB: [229.3, 229.7] })).toBeCloseTo(0.4);
    expect(levelledGrowthMiB({ afterMiB: 212, afterBatchesMiB: [] })).toBeUndefined();
    const { checks } = manySessionsReport([leg({ rssIdle: { beforeMiB: 178, afterMiB: 212, afterBatchesMiB: [229.3, 231.0], sec: 45 } })]);
    expect(checks.find((c) => c.label.startsWith('idle RSS growth'))).toMatchObject({ value: '1.7 MiB', pass: true });
  });

  it('runs the floor first in each size; the full run adds 10,000 sessions at 2,000 req/s', () => {
    expect(manySessionsLegs(true).map((l) => `${l.deployment} ${l.sessions}`)).toEqual(['floor 200', 'embedded 200', 'scale-out 200']);
    expect(manySessionsLegs(false).filter((l) => l.sessions === 10_000).map((l) => [l.deployment, l.rate])).toEqual([
      ['floor', 2000],
      ['embedded', 2000],
      ['scale-out', 2000],
    ]);
  });
});
