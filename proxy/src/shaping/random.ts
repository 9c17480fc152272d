import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of uniform numbers in [0, 1). */
export interface RandomGenerator {
  next(): number;
}

/**
 * Independent random streams for one profile: stream i starts i jumps
 * (2^64 draws each) into the sequence of `seed`, so one effect's draws never
 * shift another's and the same seed replays every effect the same way.
 */
export function randomStreams(seed: number, count: number): RandomGenerator[] {
  const rng = xoroshiro128plus(seed);
  const streams: RandomGenerator[] = [];
  for (let i = 0; i < count; i++) {
    const own = rng.clone();
    streams.push({ next: () => uniformFloat64(own) });
    rng.jump();
  }
  return streams;
}

/** A seed for profiles that did not set one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0xffff_ffff);
}
