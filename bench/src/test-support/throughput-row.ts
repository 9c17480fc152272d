import type { LoadResult } from '../load-result.js';
import type { ThroughputRow } from '../scenarios/throughput.js';

/** A wrk result as the report reads it: p99 three times p50, five seconds' worth of requests. */
export const loadResult = (requestsPerSec: number, p50Ms: number): LoadResult => ({
  requestsPerSec,
  p50Ms,
  p99Ms: p50Ms * 3,
  requests: requestsPerSec * 5,
  non2xx: 0,
  socketErrors: 0,
});

/**
 * A target's row for the report's tests: each round's req/s, the first of
 * them as the loaded result, a quarter of it at one connection with `singleP50`.
 */
export const throughputRow = (name: string, rounds: number[], singleP50 = 1): ThroughputRow => ({
  name,
  loaded: loadResult(rounds[0]!, 1),
  single: loadResult(rounds[0]! / 4, singleP50),
  rounds,
});
