import { describe, expect, it } from 'vitest';
import {
  explainProfile,
  explainShaping,
  explainTimelineStep,
  presetProfile,
  ProfileSchema,
  rateLimitBurst,
  ShapingStateSchema,
  downspinProfile,
  type ProfileInput,
} from './index.js';

const words = (profile: ProfileInput, preset?: string): string => explainProfile(ProfileSchema.parse(profile), preset);

// Today's exact words, as users see them in the dashboard, the CLI, the client
// channel and telemetry labels: a change here is a change users notice.
describe('explainProfile', () => {
  it('words each effect', () => {
    expect(words({ latency: { ms: 400 } })).toBe('latency 400 ms');
    expect(words({ latency: { ms: 400, jitterMs: 100 } })).toBe('latency 400±100 ms uniform');
    expect(words({ latency: { ms: 300, jitterMs: 50, distribution: 'normal' } })).toBe('latency 300 ms, normal σ 50 ms');
    expect(words({ latency: { ms: 200, jitterMs: 80, distribution: 'pareto' } })).toBe('latency 200 ms + pareto tail (scale 80 ms)');
    expect(words({ bandwidth: { downKbps: 750 } })).toBe('bandwidth ↓750 kbps');
    expect(words({ bandwidth: { upKbps: 250 } })).toBe('bandwidth ↑250 kbps');
    expect(words({ bandwidth: { downKbps: 750, upKbps: 250 } })).toBe('bandwidth ↓750 kbps ↑250 kbps');
    expect(words({ rateLimit: { rps: 5, burst: 10 } })).toBe('rate limit 5 rps, burst 10');
    expect(words({ rateLimit: { rps: 2.5 } })).toBe('rate limit 2.5 rps, burst 3');
    expect(words({ rateLimit: { rps: 0.2 } })).toBe('rate limit 0.2 rps, burst 1');
    expect(words({ faults: {} })).toBe('faults none');
    expect(words({ faults: { failFirst: 3, errorRate: 0.125, status: 502, resetRate: 0.02, timeoutRate: 0.0333 } })).toBe(
      'faults first 3 fail 502, 12.5% 502, 2% reset, 3.3% timeout',
    );
    expect(words({ connection: { setupMs: 300 } })).toBe('connection set-up 300 ms');
    expect(words({ connection: { setupMs: 300 }, latency: { ms: 100 } })).toBe('latency 100 ms, connection set-up 300 ms');
    expect(words({ truncate: { rate: 0.05, afterBytes: 1024 } })).toBe('truncate 5% after 1024 bytes');
    expect(words({ stall: { rate: 0.1, afterBytes: 1024, ms: 3000 } })).toBe('stall 10% for 3000 ms after 1024 bytes');
  });

  it('lists effects in a fixed order, then the routes, whatever order the profile names them in', () => {
    const profile = { routes: ['/api/**', '/img/*'], faults: { errorRate: 0.1 }, rateLimit: { rps: 5 }, bandwidth: { upKbps: 10 }, latency: { ms: 1, jitterMs: 1 } };
    expect(words(profile)).toBe('latency 1±1 ms uniform, bandwidth ↑10 kbps, rate limit 5 rps, burst 5, faults 10% 503 on /api/** /img/*');
    expect(words(profile, 'slow-3g')).toBe(
      'slow-3g (latency 1±1 ms uniform, bandwidth ↑10 kbps, rate limit 5 rps, burst 5, faults 10% 503 on /api/** /img/*)',
    );
  });

  it('says "no shaping" for an empty profile, or just the preset name', () => {
    expect(words({})).toBe('no shaping');
    expect(words({ routes: ['/api/**'] })).toBe('no shaping');
    expect(words({}, 'slow-3g')).toBe('slow-3g');
  });

  it('words each preset', () => {
    expect(explainProfile(presetProfile('none'), 'none')).toBe('none');
    expect(explainProfile(presetProfile('fast-3g'), 'fast-3g')).toBe('fast-3g (latency 563 ms, bandwidth ↓1440 kbps ↑675 kbps)');
    expect(explainProfile(presetProfile('slow-3g'), 'slow-3g')).toBe('slow-3g (latency 2000 ms, bandwidth ↓400 kbps ↑400 kbps)');
    expect(explainProfile(presetProfile('offline'), 'offline')).toBe('offline (faults 100% reset)');
    expect(explainProfile(presetProfile('flaky'), 'flaky')).toBe('flaky (latency 200±150 ms uniform, faults 20% 503, 2% reset)');
    expect(explainProfile(presetProfile('devtools-slow-4g'), 'devtools-slow-4g')).toBe('devtools-slow-4g (latency 563 ms, bandwidth ↓1440 kbps ↑675 kbps)');
    expect(explainProfile(presetProfile('wpt-dsl'), 'wpt-dsl')).toBe('wpt-dsl (latency 50 ms, bandwidth ↓1500 kbps ↑384 kbps)');
  });
});

describe('explainShaping', () => {
  const explain = (state: unknown): string => explainShaping(ShapingStateSchema.parse(state));
  const timeline = {
    mode: 'timeline',
    startedAt: 1,
    steps: [
      { atMs: 0, profile: { latency: { ms: 5 } }, preset: 'slow-3g' },
      { atMs: 1500, profile: {} },
      { atMs: 3000, profile: { faults: { errorRate: 1 } } },
    ],
  };

  it('words every mode', () => {
    expect(explain({ mode: 'none' })).toBe('no shaping');
    expect(explain({ mode: 'upspin' })).toBe('upspin: no added latency, no rate limit');
    expect(explain({ mode: 'downspin', latencyMs: 2000 })).toBe('downspin: latency 2000 ms');
    expect(explain({ mode: 'profile', profile: { latency: { ms: 400, jitterMs: 100 } } })).toBe('latency 400±100 ms uniform');
    expect(explain({ mode: 'profile', profile: {}, preset: 'none' })).toBe('none');
    expect(explain({ mode: 'terminated', reason: 'bye' })).toBe('terminated: bye');
    expect(explain({ mode: 'timeline', startedAt: 1, steps: [{ atMs: 0, profile: {} }] })).toBe('timeline of 1 step over 0 ms');
    expect(explain(timeline)).toBe('timeline of 3 steps over 3000 ms');
  });

  it('words each timeline step while it is in force', () => {
    const steps = ShapingStateSchema.parse(timeline);
    if (steps.mode !== 'timeline') throw new Error('not a timeline');
    expect(steps.steps.map((_, i) => explainTimelineStep(steps.steps, i))).toEqual([
      'timeline step 1/3: slow-3g (latency 5 ms)',
      'timeline step 2/3: no shaping',
      'timeline step 3/3: faults 100% 503',
    ]);
  });

  it('downspin is the fixed latency its words name', () => {
    expect(downspinProfile(750)).toEqual(ProfileSchema.parse({ latency: { ms: 750 } }));
  });
});

describe('rateLimitBurst', () => {
  it('is burst when given, else ceil(rps) and at least 1', () => {
    expect(rateLimitBurst({ rps: 5, burst: 2 })).toBe(2);
    expect(rateLimitBurst({ rps: 2.5 })).toBe(3);
    expect(rateLimitBurst({ rps: 0.1 })).toBe(1);
  });
});
