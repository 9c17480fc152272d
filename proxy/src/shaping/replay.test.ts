import { describe, expect, it } from 'vitest';
import { ProfileSchema, type Profile } from '@downspin/protocol';
import type { RandomGenerator } from './random.js';
import { ShapingPlan } from './plan.js';
import type { LatencyEffect } from '../effects/index.js';

/**
 * What a seeded profile draws, per effect: the latency delays (ms) and the
 * fault draws. A user who recorded a run with a seed replays exactly these.
 */
function draws(profile: object, count = 4): { latency?: number[]; faults?: number[] } {
  const plan = new ShapingPlan(ProfileSchema.parse(profile) as Profile);
  const states = plan.createStates();
  const out: { latency?: number[]; faults?: number[] } = {};
  plan.effects.forEach((effect, i) => {
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
      latency: [149.999998322, 131.25200423, 114.473144129, 100.411293362],
      faults: [0.322341102, 0.426426477, 0.492418655, 0.393624965],
    });
    expect(draws({ ...uniformAndFaults, seed: 7 })).toEqual({
      latency: [149.99998826, 68.764029608, 138.650666647, 136.160487838],
      faults: [0.217332056, 0.177333813, 0.938790584, 0.303783578],
    });
    expect(draws({ ...normal, seed: 42 })).toEqual({
      latency: [351.940858804, 192.898979861, 194.890576442, 217.759081021],
    });
    expect(draws({ ...faultsOnly, seed: 123456789 })).toEqual({
      faults: [0.387233752, 0.694497883, 0.626445472, 0.336870551],
    });
    // Another effect beside the faults leaves their draws alone.
    expect(draws({ ...uniformAndFaults, bandwidth: { downKbps: 500 }, seed: 7 }).faults).toEqual([
      0.217332056, 0.177333813, 0.938790584, 0.303783578,
    ]);
  });
});
