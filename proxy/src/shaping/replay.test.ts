import { describe, expect, it } from 'vitest';
import { ProfileSchema, type Profile } from '@downspin/protocol';
import type { RandomGenerator } from './random.js';
import { createEffectStates, ShapingPlan } from './plan.js';
import {
  BandwidthEffect,
  EffectRegistry,
  FaultsEffect,
  LatencyEffect,
  RateLimitEffect,
  type Effect,
} from '../effects/index.js';

/**
 * What a seeded profile draws, per effect: the latency delays (ms) and the
 * fault draws. A user who recorded a run with a seed replays exactly these;
 * a change here changes every recorded seed, so it must be deliberate.
 */
function draws(profile: object, count = 4): { latency?: number[]; faults?: number[] } {
  const plan = new ShapingPlan(ProfileSchema.parse(profile) as Profile);
  return drawsOf(plan.effects, plan.createStates(), count);
}

function drawsOf(effects: readonly Effect[], states: unknown[], count = 4): { latency?: number[]; faults?: number[] } {
  const out: { latency?: number[]; faults?: number[] } = {};
  effects.forEach((effect, i) => {
    if (effect.type === 'latency') {
      const latency = effect as LatencyEffect;
      out.latency = Array.from({ length: count }, () => round(latency.sample(states[i] as RandomGenerator)));
    } else if (effect.type === 'faults') {
      const random = (states[i] as { random: RandomGenerator }).random;
      out.faults = Array.from({ length: count }, () => round(random.next()));
    }
  });
  return out;
}

const round = (x: number): number => Math.round(x * 1e9) / 1e9;

const uniformAndFaults = { latency: { ms: 100, jitterMs: 50, distribution: 'uniform' }, faults: { errorRate: 0.3 } };
const normal = { latency: { ms: 200, jitterMs: 40, distribution: 'normal' } };
const faultsOnly = { faults: { errorRate: 0.1, resetRate: 0.1 } };

describe('seeded replay', () => {
  it('draws the pinned sequences for a few seeds and profiles', () => {
    expect(draws({ ...uniformAndFaults, seed: 1 })).toEqual({
      latency: [64.904961657, 130.480992828, 125.421715919, 91.628082261],
      faults: [0.07897441, 0.146831062, 0.301053474, 0.221651837],
    });
    expect(draws({ ...uniformAndFaults, seed: 7 })).toEqual({
      latency: [149.459125426, 64.619083054, 146.681495005, 86.397933668],
      faults: [0.080544169, 0.702302601, 0.32960373, 0.219216228],
    });
    expect(draws({ ...normal, seed: 42 })).toEqual({
      latency: [135.814747187, 254.997649412, 183.040035828, 199.504844311],
    });
    expect(draws({ ...faultsOnly, seed: 123456789 })).toEqual({
      faults: [0.537592648, 0.087033058, 0.083681321, 0.399485566],
    });
    // Another effect beside the faults leaves their draws alone.
    expect(draws({ ...uniformAndFaults, bandwidth: { downKbps: 500 }, seed: 7 }).faults).toEqual([
      0.080544169, 0.702302601, 0.32960373, 0.219216228,
    ]);
  });

  it('replays the same draws from a registry built in another order', () => {
    const reordered = new EffectRegistry();
    reordered.register('faults', (settings) => new FaultsEffect(settings));
    reordered.register('rateLimit', (settings) => new RateLimitEffect(settings));
    reordered.register('bandwidth', (settings) => new BandwidthEffect(settings));
    reordered.register('latency', (settings) => new LatencyEffect(settings));
    const profile = ProfileSchema.parse({
      ...uniformAndFaults,
      rateLimit: { rps: 5 },
      bandwidth: { downKbps: 500 },
      seed: 7,
    }) as Profile;
    const effects = reordered.create(profile);
    const plan = new ShapingPlan(profile);
    // The orders really differ...
    expect(effects.map((e) => e.type)).toEqual(['faults', 'rateLimit', 'bandwidth', 'latency']);
    expect(plan.effects.map((e) => e.type)).toEqual(['latency', 'bandwidth', 'rateLimit', 'faults']);
    // ...and every effect still draws what the pinned sequence says.
    const pinned = draws({ ...uniformAndFaults, seed: 7 });
    expect(drawsOf(effects, createEffectStates(effects, 7))).toEqual(pinned);
    expect(draws({ ...profile })).toEqual(pinned);
  });
});
