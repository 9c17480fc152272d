import { describe, expect, it } from 'vitest';
import { isEmptyProfile, MAX_CONNECTION_SETUP_MS, PRESET_NAMES, PresetNameSchema, presetProfile, type PresetName, ProfileSchema, describeZodError, TimelineBodySchema, sessionHash, newSessionId, isValidSessionId } from './index.js';

describe('ProfileSchema', () => {
  it('fills defaults when decoding', () => {
    const profile = ProfileSchema.parse({ latency: { ms: 400 }, faults: { errorRate: 0.1 } });
    expect(profile.latency).toEqual({ ms: 400, jitterMs: 0, distribution: 'uniform' });
    expect(profile.faults).toEqual({ errorRate: 0.1, status: 503, resetRate: 0, timeoutRate: 0, failFirst: 0 });
  });

  it('names the bad field and rejects unknown keys', () => {
    const result = ProfileSchema.safeParse({ latency: { ms: -1 }, bandwith: {} });
    expect(result.success).toBe(false);
    const message = describeZodError(result.error!);
    expect(message).toContain('latency.ms');
    expect(message).toContain('bandwith');
  });

  it('rejects an unknown jitter distribution with the allowed names', () => {
    const result = ProfileSchema.safeParse({ latency: { ms: 1, distribution: 'gaussian' } });
    expect(describeZodError(result.error!)).toContain('uniform, normal, pareto');
  });

  it('rejects fault rates summing past 1', () => {
    expect(ProfileSchema.safeParse({ faults: { errorRate: 0.6, resetRate: 0.6 } }).success).toBe(false);
  });
});

describe('connection set-up cost', () => {
  it('takes whole ms from 0 to a minute, and nothing else', () => {
    expect(ProfileSchema.parse({ connection: { setupMs: 300 } }).connection).toEqual({ setupMs: 300 });
    expect(ProfileSchema.parse({ connection: { setupMs: MAX_CONNECTION_SETUP_MS } }).connection?.setupMs).toBe(60_000);
    for (const bad of [{ setupMs: -1 }, { setupMs: 60_001 }, { setupMs: 2.5 }, {}, { setupMs: 10, tls: true }, { setupMs: '10' }]) {
      expect(ProfileSchema.safeParse({ connection: bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('makes a profile non-empty on its own', () => {
    expect(isEmptyProfile(ProfileSchema.parse({ connection: { setupMs: 1 } }))).toBe(false);
    expect(isEmptyProfile(ProfileSchema.parse({}))).toBe(true);
  });
});

describe('truncated body', () => {
  it('takes a rate from 0 to 1 and whole bytes up to 1 GB, and nothing else', () => {
    expect(ProfileSchema.parse({ truncate: { rate: 0.1, afterBytes: 0 } }).truncate).toEqual({ rate: 0.1, afterBytes: 0 });
    for (const bad of [{ rate: 1.1, afterBytes: 1 }, { rate: -0.1, afterBytes: 1 }, { rate: 0.5 }, { rate: 0.5, afterBytes: 1.5 }, { rate: 0.5, afterBytes: 1_000_000_001 }, { afterBytes: 1 }]) {
      expect(ProfileSchema.safeParse({ truncate: bad }).success, JSON.stringify(bad)).toBe(false);
    }
    expect(isEmptyProfile(ProfileSchema.parse({ truncate: { rate: 0, afterBytes: 0 } }))).toBe(false);
  });
});

describe('mid-body stall', () => {
  it('takes a rate, whole bytes up to 1 GB and a pause of 1 ms to 10 minutes, and nothing else', () => {
    expect(ProfileSchema.parse({ stall: { rate: 1, afterBytes: 1024, ms: 3000 } }).stall).toEqual({ rate: 1, afterBytes: 1024, ms: 3000 });
    for (const bad of [{ rate: 0.5, afterBytes: 1 }, { rate: 0.5, afterBytes: 1, ms: 0 }, { rate: 0.5, afterBytes: 1, ms: 600_001 }, { rate: 2, afterBytes: 1, ms: 5 }, { rate: 0.5, afterBytes: -1, ms: 5 }, { rate: 0.5, afterBytes: 1, ms: 5, extra: 1 }]) {
      expect(ProfileSchema.safeParse({ stall: bad }).success, JSON.stringify(bad)).toBe(false);
    }
    expect(isEmptyProfile(ProfileSchema.parse({ stall: { rate: 0, afterBytes: 0, ms: 1 } }))).toBe(false);
  });
});

describe('presets', () => {
  it('decode to the documented DevTools figures', () => {
    expect(presetProfile('slow-3g')).toMatchObject({ latency: { ms: 2000 }, bandwidth: { downKbps: 400, upKbps: 400 } });
    expect(presetProfile('fast-3g')).toMatchObject({ latency: { ms: 563 }, bandwidth: { downKbps: 1440, upKbps: 675 } });
    expect(presetProfile('offline').faults?.resetRate).toBe(1);
    for (const name of PRESET_NAMES) expect(() => presetProfile(name)).not.toThrow();
  });

  // [name, round-trip ms, down kbit/s, up kbit/s], as DevTools and WebPageTest quote them.
  const network: [PresetName, number, number, number][] = [
    ['devtools-slow-3g', 2000, 400, 400],
    ['devtools-slow-4g', 563, 1440, 675], // DevTools: 562.5 ms; latency is whole ms
    ['devtools-fast-3g', 563, 1440, 675], // the former name of Slow 4G
    ['devtools-fast-4g', 165, 8100, 1350],
    ['wpt-cable', 28, 5000, 1000],
    ['wpt-dsl', 50, 1500, 384],
    ['wpt-3g', 300, 1600, 768],
    ['wpt-3g-fast', 150, 1600, 768],
    ['wpt-4g', 170, 9000, 9000],
    ['wpt-lte', 70, 12000, 12000],
    ['wpt-edge', 840, 240, 200],
    ['wpt-2g', 800, 280, 256],
  ];
  it.each(network)('%s decodes to %i ms, ↓%i ↑%i kbit/s and nothing else', (name, ms, downKbps, upKbps) => {
    expect(presetProfile(name)).toEqual({
      latency: { ms, jitterMs: 0, distribution: 'uniform' },
      bandwidth: { downKbps, upKbps },
    });
  });

  it('keeps the older names and their values', () => {
    expect(PRESET_NAMES.slice(0, 5)).toEqual(['none', 'fast-3g', 'slow-3g', 'offline', 'flaky']);
    expect(presetProfile('fast-3g')).toEqual(presetProfile('devtools-slow-4g'));
    expect(presetProfile('slow-3g')).toEqual(presetProfile('devtools-slow-3g'));
    expect(presetProfile('none')).toEqual({});
  });

  it('are accepted by name where a preset is', () => {
    for (const [name] of network) expect(PresetNameSchema.parse(name)).toBe(name);
    expect(PresetNameSchema.safeParse('wpt-5g').success).toBe(false);
  });
});

describe('timeline body', () => {
  it('requires steps in order', () => {
    const bad = TimelineBodySchema.safeParse({ steps: [{ atMs: 100, preset: 'none' }, { atMs: 0, preset: 'offline' }] });
    expect(bad.success).toBe(false);
    expect(TimelineBodySchema.parse({ steps: [{ atMs: 0, preset: 'offline' }, { atMs: 3000, preset: 'none' }] }).steps).toHaveLength(2);
  });
});

describe('session ids', () => {
  it('makes 128-bit base64url ids that pass the id pattern', () => {
    const id = newSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(isValidSessionId(id)).toBe(true);
    expect(newSessionId()).not.toBe(id);
  });

  it('accepts 1-128 safe characters only', () => {
    expect(isValidSessionId('s1')).toBe(true);
    expect(isValidSessionId('a'.repeat(128))).toBe(true);
    expect(isValidSessionId('a'.repeat(129))).toBe(false);
    expect(isValidSessionId('')).toBe(false);
    expect(isValidSessionId('s 1')).toBe(false);
    expect(isValidSessionId('s1;drop')).toBe(false);
  });

  it('hashes to 12 hex characters of SHA-256', async () => {
    const { createHash } = await import('node:crypto');
    expect(await sessionHash('s1')).toBe(createHash('sha256').update('s1').digest('hex').slice(0, 12));
  });
});
