import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of uniform numbers in [0, 1). */
export interface RandomGenerator {
  next(): number;
}

/**
 * The random stream of one effect (by its name, e.g. "faults") for a
 * profile's seed. The 128-bit generator state is SHA-256 of (seed, name):
 * a stream never depends on which other effects exist or in which order they
 * were registered, so a recorded seed replays the same draws after an import
 * is moved or an effect is added. Distinct names give unrelated states, so
 * one effect's draws never shift another's.
 */
export function randomStream(seed: number, name: string): RandomGenerator {
  const digest = createHash('sha256').update(`downspin:${seed >>> 0}:${name}`).digest();
  const state = [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
  // The all-zero state is the generator's one fixed point.
  if (!state.some((word) => word !== 0)) state[0] = 1;
  const rng = xoroshiro128plusFromState(state);
  return { next: () => uniformFloat64(rng) };
}

/** A seed for profiles that did not set one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0xffff_ffff);
}
