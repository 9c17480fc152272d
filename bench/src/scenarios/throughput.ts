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
  /** Requests/s under load in each round, in round order: for ratios taken round by round (pairedRatio). */
  rounds: number[];
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

/** One round's load on a target: its one-second slices taken together (requests/s averaged, latencies their median). */
function combineSlices(slices: readonly LoadResult[]): LoadResult {
  return { ...combine(slices), requestsPerSec: slices.reduce((sum, r) => sum + r.requestsPerSec, 0) / slices.length };
}

/**
 * `row` ÷ `baseline` in requests/s: the ratio in each round, then their
 * median. The host's speed drifts during a run far more than the effects
 * measured here (on the 2-core VM one process served 5,000 to 9,000 req/s
 * in consecutive rounds, its CPU per request doubling with no change in
 * load); a round's targets run within seconds of each other, so a ratio
 * taken inside a round cancels most of the drift that a ratio of medians
 * keeps (two identical proxies measured that way gave 0.88).
 */
export function pairedRatio(row: ThroughputRow, baseline: ThroughputRow): number {
  return median(row.rounds.map((rps, i) => rps / baseline.rounds[i]!));
}

/** One target's figures in one round. */
export interface RoundResult {
  name: string;
  loaded: LoadResult;
  single: LoadResult;
}

/** One second of load on a target, with the run's connections and headers: the unit warm-ups and rounds are made of. */
function runSlice(target: Target, options: ThroughputOptions): Promise<LoadResult> {
  return runLoad(options.generator, target.url + options.path, { headers: options.headers, connections: options.connections, durationSec: 1 });
}

/**
 * One second of load on each target: JIT, first allocations and connections
 * before anything is measured. With `untilRequests`, one-second slices go on
 * (interleaved, up to `maxSlices` each) until every target has served that
 * many requests: work a target does once per so many requests (a telemetry
 * batch's insert) then runs, and gets compiled, before the window.
 */
export async function warmUp(
  targets: readonly Target[],
  options: ThroughputOptions,
  { untilRequests = 0, maxSlices = 1 }: { untilRequests?: number; maxSlices?: number } = {},
): Promise<void> {
  const served = targets.map(() => 0);
  for (let slice = 0; slice < maxSlices; slice++) {
    for (let i = 0; i < targets.length; i++) {
      if (slice > 0 && served[i]! >= untilRequests) continue;
      served[i]! += (await runSlice(targets[i]!, options)).requests;
    }
    if (served.every((n) => n >= untilRequests)) return;
  }
}

/**
 * One round: each target gets `durationSec` one-second slices, interleaved
 * (A B C A B C …), so targets compared in a round meet the same host; the
 * order rotates with the round and the slice, so no target always runs first
 * (JIT, caches) or last (whatever else the shared machine started
 * meanwhile). Then each target's one-connection run.
 */
export async function measureRound(
  targets: readonly Target[],
  options: ThroughputOptions,
  round: number,
  progress: (line: string) => void,
): Promise<RoundResult[]> {
  const sliced = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  const slices = Math.max(1, Math.round(options.durationSec));
  for (let slice = 0; slice < slices; slice++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round + slice) % targets.length]!;
      sliced.get(target.name)!.push(await runSlice(target, options));
    }
  }
  const results: RoundResult[] = [];
  for (let i = 0; i < targets.length; i++) {
    const target = targets[(i + round) % targets.length]!;
    const loaded = combineSlices(sliced.get(target.name)!);
    const single = await runLoad(options.generator, target.url + options.path, { headers: options.headers, connections: 1, durationSec: options.singleDurationSec });
    results.push({ name: target.name, loaded, single });
    progress(
      `  round ${round + 1}/${options.rounds} ${target.name.padEnd(12)} ${Math.round(loaded.requestsPerSec)} req/s` +
        ` · 1 connection p50 ${single.p50Ms.toFixed(3)} ms`,
    );
  }
  return results;
}

/** Each target's row from its figures in every round (medians, and its req/s round by round). */
export function throughputRows(names: readonly string[], rounds: readonly (readonly RoundResult[])[]): ThroughputRow[] {
  return names.map((name) => {
    const mine = rounds.map((round) => round.find((r) => r.name === name)!);
    return {
      name,
      loaded: combine(mine.map((r) => r.loaded)),
      single: combine(mine.map((r) => r.single)),
      rounds: mine.map((r) => r.loaded.requestsPerSec),
    };
  });
}

/**
 * Runs the load generator against every target, round after round
 * (measureRound), on the same processes throughout. Each target is warmed up
 * once before the first round.
 */
export async function measureThroughput(
  targets: readonly Target[],
  options: ThroughputOptions,
  progress: (line: string) => void,
): Promise<ThroughputRow[]> {
  await warmUp(targets, options);
  const rounds: RoundResult[][] = [];
  for (let round = 0; round < options.rounds; round++) rounds.push(await measureRound(targets, options, round, progress));
  return throughputRows(
    targets.map((t) => t.name),
    rounds,
  );
}
