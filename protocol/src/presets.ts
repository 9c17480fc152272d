import { z } from 'zod';
import { ProfileSchema, type Profile, type ProfileInput } from './profile.js';

export const PRESET_NAMES = [
  'none',
  'fast-3g',
  'slow-3g',
  'offline',
  'flaky',
  'devtools-slow-3g',
  'devtools-slow-4g',
  'devtools-fast-3g',
  'devtools-fast-4g',
  'wpt-cable',
  'wpt-dsl',
  'wpt-3g',
  'wpt-3g-fast',
  'wpt-4g',
  'wpt-lte',
  'wpt-edge',
  'wpt-2g',
] as const;
export const PresetNameSchema = z.enum(PRESET_NAMES, {
  error: `preset must be one of ${PRESET_NAMES.join(', ')}`,
});
export type PresetName = (typeof PRESET_NAMES)[number];

/** A network preset: round-trip latency (ms) and bandwidth down/up (kbit/s), as its reference quotes them. */
function network(description: string, ms: number, downKbps: number, upKbps: number): { description: string; profile: ProfileInput } {
  return { description, profile: { latency: { ms }, bandwidth: { downKbps, upKbps } } };
}

/*
 * DevTools' Slow 4G (called "Fast 3G" before Chrome 119) has 562.5 ms; latency
 * is a whole number of ms in the profile schema (and the proxy's timers), so
 * it is 563 here, as the older `fast-3g` always was.
 */
const DEVTOOLS_SLOW_4G = network(
  'Chrome DevTools "Slow 4G" (formerly "Fast 3G"): 562.5 ms round trip (rounded to 563), 1,440 kbit/s down, 675 kbit/s up.',
  563,
  1440,
  675,
);

/**
 * Presets with documented figures. The network presets take the numbers of
 * the references people quote: Chrome DevTools' throttling presets (DevTools
 * computes them as e.g. 500 kbit/s × 0.8 for Slow 3G; latency is a round
 * trip) and WebPageTest's connectivity profiles (latency is its RTT). The
 * first five names predate the others and keep their values.
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
  'devtools-slow-3g': network('Chrome DevTools "Slow 3G": 2,000 ms round trip, 400 kbit/s down, 400 kbit/s up.', 2000, 400, 400),
  'devtools-slow-4g': DEVTOOLS_SLOW_4G,
  'devtools-fast-3g': { ...DEVTOOLS_SLOW_4G, description: `Alias of devtools-slow-4g. ${DEVTOOLS_SLOW_4G.description}` },
  'devtools-fast-4g': network('Chrome DevTools "Fast 4G": 165 ms round trip, 8,100 kbit/s down, 1,350 kbit/s up.', 165, 8100, 1350),
  'wpt-cable': network('WebPageTest "Cable": 28 ms round trip, 5 Mbit/s down, 1 Mbit/s up.', 28, 5000, 1000),
  'wpt-dsl': network('WebPageTest "DSL": 50 ms round trip, 1.5 Mbit/s down, 384 kbit/s up.', 50, 1500, 384),
  'wpt-3g': network('WebPageTest "3G": 300 ms round trip, 1.6 Mbit/s down, 768 kbit/s up.', 300, 1600, 768),
  'wpt-3g-fast': network('WebPageTest "3G Fast": 150 ms round trip, 1.6 Mbit/s down, 768 kbit/s up.', 150, 1600, 768),
  'wpt-4g': network('WebPageTest "4G": 170 ms round trip, 9 Mbit/s down, 9 Mbit/s up.', 170, 9000, 9000),
  'wpt-lte': network('WebPageTest "LTE": 70 ms round trip, 12 Mbit/s down, 12 Mbit/s up.', 70, 12000, 12000),
  'wpt-edge': network('WebPageTest "Edge": 840 ms round trip, 240 kbit/s down, 200 kbit/s up.', 840, 240, 200),
  'wpt-2g': network('WebPageTest "2G": 800 ms round trip, 280 kbit/s down, 256 kbit/s up.', 800, 280, 256),
};

/** The decoded profile of a preset. */
export function presetProfile(name: PresetName): Profile {
  return ProfileSchema.parse(PRESET_DEFINITIONS[name].profile);
}
