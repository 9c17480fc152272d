import { z } from 'zod';
import { ProfileSchema, type Profile, type ProfileInput } from './profile.js';

export const PRESET_NAMES = ['none', 'fast-3g', 'slow-3g', 'offline', 'flaky'] as const;
export const PresetNameSchema = z.enum(PRESET_NAMES, {
  error: `preset must be one of ${PRESET_NAMES.join(', ')}`,
});
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * Presets with documented figures. The network presets take Chrome DevTools'
 * numbers (DevTools computes them as e.g. 500 kbit/s × 0.8 for Slow 3G).
 */
export const PRESET_DEFINITIONS: Record<PresetName, { description: string; profile: ProfileInput }> = {
  none: { description: 'No shaping.', profile: {} },
  'fast-3g': {
    description: 'Chrome DevTools "Fast 3G": 562.5 ms latency (rounded to 563), 1,440 kbit/s down, 675 kbit/s up.',
    profile: { latency: { ms: 563 }, bandwidth: { downKbps: 1440, upKbps: 675 } },
  },
  'slow-3g': {
    description: 'Chrome DevTools "Slow 3G": 2,000 ms latency, 400 kbit/s down, 400 kbit/s up.',
    profile: { latency: { ms: 2000 }, bandwidth: { downKbps: 400, upKbps: 400 } },
  },
  offline: {
    description: 'No connectivity: every request has its connection reset, as when the network is gone.',
    profile: { faults: { resetRate: 1 } },
  },
  flaky: {
    description: 'An unreliable backend: 200 ms ± 150 ms latency, 20% of requests answered 503, 2% connections reset.',
    profile: {
      latency: { ms: 200, jitterMs: 150, distribution: 'uniform' },
      faults: { errorRate: 0.2, status: 503, resetRate: 0.02 },
    },
  },
};

/** The decoded profile of a preset. */
export function presetProfile(name: PresetName): Profile {
  return ProfileSchema.parse(PRESET_DEFINITIONS[name].profile);
}
