import type { SessionView } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { matchesFilter } from './filters.js';
import { EMPTY_PROFILE_FORM, profileFromForm, profileFromJson } from './profile-form.js';

describe('profileFromForm', () => {
  it('builds a profile from the fields set, rates from percent', () => {
    const result = profileFromForm({
      ...EMPTY_PROFILE_FORM,
      latencyMs: '400',
      jitterMs: '100',
      distribution: 'normal',
      downKbps: '750',
      errorRatePercent: '10',
      status: '503',
      routes: '/api/**, /static/*',
      seed: '42',
    });
    expect(result).toEqual({
      ok: true,
      profile: {
        latency: { ms: 400, jitterMs: 100, distribution: 'normal' },
        bandwidth: { downKbps: 750 },
        faults: { errorRate: 0.1, status: 503 },
        routes: ['/api/**', '/static/*'],
        seed: 42,
      },
    });
  });

  it('names a field that is not a number, or out of range, by its label', () => {
    expect(profileFromForm({ ...EMPTY_PROFILE_FORM, latencyMs: 'slow' })).toEqual({ ok: false, error: 'Latency: enter a number' });
    const negative = profileFromForm({ ...EMPTY_PROFILE_FORM, latencyMs: '-1' });
    expect(negative.ok).toBe(false);
    expect(!negative.ok && negative.error).toMatch(/^Latency: /);
    const status = profileFromForm({ ...EMPTY_PROFILE_FORM, errorRatePercent: '5', status: '200' });
    expect(!status.ok && status.error).toMatch(/^Error status: /);
    const rates = profileFromForm({ ...EMPTY_PROFILE_FORM, errorRatePercent: '60', resetRatePercent: '60' });
    expect(!rates.ok && rates.error).toBe('Faults: error, reset and timeout rates must add up to 100 % at most');
    const route = profileFromForm({ ...EMPTY_PROFILE_FORM, latencyMs: '10', routes: 'https://api.example.com/**' });
    expect(!route.ok && route.error).toMatch(/^Routes: /);
  });

  it('asks for something to apply', () => {
    expect(profileFromForm(EMPTY_PROFILE_FORM)).toMatchObject({ ok: false, error: expect.stringMatching(/at least one field/) });
    expect(profileFromForm({ ...EMPTY_PROFILE_FORM, burst: '5' })).toMatchObject({ ok: false, error: expect.stringMatching(/^Requests per second/) });
  });
});

describe('profileFromJson', () => {
  it('takes a profile as the README writes it', () => {
    expect(profileFromJson('{ "latency": { "ms": 400 }, "rateLimit": { "rps": 5, "burst": 10 } }')).toMatchObject({ ok: true });
  });

  it('names bad JSON and unknown keys', () => {
    expect(profileFromJson('{ latency: 1 }')).toMatchObject({ ok: false, error: expect.stringMatching(/^Not valid JSON/) });
    expect(profileFromJson('{ "latencyy": { "ms": 1 } }')).toMatchObject({ ok: false, error: expect.stringMatching(/latencyy/) });
  });
});

describe('session filters', () => {
  const view = (patch: Partial<SessionView>) => ({ mode: 'none', shaping: 'no shaping', throttled: false, risk: 0, ...patch }) as SessionView;

  it('high risk from the API threshold', () => {
    expect(matchesFilter(view({ risk: 70 }), 'high_risk')).toBe(true);
    expect(matchesFilter(view({ risk: 69 }), 'high_risk')).toBe(false);
    expect(matchesFilter(view({ risk: 0 }), 'all')).toBe(true);
  });

  it('throttled as the API counts it: the flag the server computed', () => {
    expect(matchesFilter(view({ mode: 'downspin', shaping: 'downspin: latency 2000 ms', throttled: true }), 'throttled')).toBe(true);
    expect(matchesFilter(view({ mode: 'profile', shaping: 'slow-3g (latency 2000 ms, …)', throttled: true }), 'throttled')).toBe(true);
    expect(matchesFilter(view({ mode: 'profile', shaping: 'none', throttled: false }), 'throttled')).toBe(false);
    expect(matchesFilter(view({ mode: 'upspin', throttled: false }), 'throttled')).toBe(false);
    expect(matchesFilter(view({ mode: 'terminated', throttled: false }), 'all')).toBe(true);
  });
});
