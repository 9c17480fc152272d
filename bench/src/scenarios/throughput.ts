import type { LoadResult } from '../load-result.js';
import { runLoad, type LoadGenerator } from '../load.js';
import { median } from '../stats.js';

export interface Target {
  name: string;
  url: string;
}

export interface ThroughputOptions {
  generator: LoadGenerator;
  rounds: number;
  /** Seconds per run under load. */
  durationSec: number;
  /** Seconds per run on a single connection (latency without queueing). */
  singleDurationSec: number;
  connections: number;
  path: string;
  headers: Record<string, string>;
}

export interface ThroughputRow {
  name: string;
  /** Median over rounds of each figure, under load. */
  loaded: LoadResult;
  /** Median over rounds, one connection: per-request latency with no queueing. */
  single: LoadResult;
}

/** Median of each figure; error counts are summed (any error matters). */
function combine(results: readonly LoadResult[]): LoadResult {
  return {
    requestsPerSec: median(results.map((r) => r.requestsPerSec)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    socketErrors: results.reduce((sum, r) => sum + r.socketErrors, 0),
  };
}

/**
 * Runs the load generator against every target, round after round, with the
 * order rotated each round so no target always runs first (JIT, caches) or
 * last (whatever else the shared machine started meanwhile). Each target is
 * warmed up once before the first round.
 */
export async function measureThroughput(
  targets: readonly Target[],
  options: ThroughputOptions,
  progress: (line: string) => void,
  /** Runs after the warm-up, before the first round (e.g. to start counting CPU time). */
  warmedUp: () => Promise<void> = async () => undefined,
): Promise<ThroughputRow[]> {
  const loaded = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  const single = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  const base = { headers: options.headers };
  for (const target of targets) {
    await runLoad(options.generator, target.url + options.path, { ...base, connections: options.connections, durationSec: 1 });
  }
  await warmedUp();
  for (let round = 0; round < options.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const target of order) {
      const url = target.url + options.path;
      const underLoad = await runLoad(options.generator, url, { ...base, connections: options.connections, durationSec: options.durationSec });
      const oneConnection = await runLoad(options.generator, url, { ...base, connections: 1, durationSec: options.singleDurationSec });
      loaded.get(target.name)!.push(underLoad);
      single.get(target.name)!.push(oneConnection);
      progress(
        `  round ${round + 1}/${options.rounds} ${target.name.padEnd(12)} ${Math.round(underLoad.requestsPerSec)} req/s` +
          ` · 1 connection p50 ${oneConnection.p50Ms.toFixed(3)} ms`,
      );
    }
  }
  return targets.map((t) => ({ name: t.name, loaded: combine(loaded.get(t.name)!), single: combine(single.get(t.name)!) }));
}
