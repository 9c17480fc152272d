import { MemoryTelemetryStore, type AnalyticsRange } from '@downspin/db';
import type { Check } from '../report.js';
import { median } from '../stats.js';
import { fillStore } from './bench-rows.js';

/**
 * The embedded default answers the dashboard's analytics from the memory
 * store, on the event loop the proxy shares. Over a full store (100,000
 * request rows) each query is timed, and beside it the longest the loop went
 * without a turn meanwhile: what a request in flight could be held. The
 * query's whole time is the baseline: a store reading every row in one pass
 * holds the loop that long.
 */

/** The longest hold allowed: the many-sessions section's lateness target. */
export const QUERY_BLOCK_TARGET_MS = 5;

export interface QueryBlock {
  query: string;
  /** Medians over the repeats. */
  totalMs: number;
  longestBlockMs: number;
}

/** Runs `query` while a ticker takes every turn it can; the longest gap between turns (or the ends) is the block. */
async function timed(query: () => Promise<unknown>): Promise<{ totalMs: number; longestBlockMs: number }> {
  let last = performance.now();
  let longest = 0;
  let ticking = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const start = performance.now();
  last = start;
  await query();
  const end = performance.now();
  ticking = false;
  return { totalMs: end - start, longestBlockMs: Math.max(longest, end - last) };
}

export async function measureMemoryQueries(rows = 100_000, repeats = 7): Promise<QueryBlock[]> {
  const store = new MemoryTelemetryStore({ capacity: rows });
  const { from: t0 } = await fillStore(store, rows);
  const range: AnalyticsRange = { from: t0, to: Date.now() + 1 };
  const queries: Record<string, () => Promise<unknown>> = {
    overview: () => store.overview(range),
    'timeseries (minute)': () => store.timeseries({ ...range, bucket: 'minute' }),
    'top endpoints': () => store.topEndpoints({ ...range, limit: 20 }),
    geo: () => store.geo(range),
    'session history': () => store.sessionHistory({ ...range, session: (1).toString(16).padStart(12, '0'), limit: 100 }),
  };
  const results: QueryBlock[] = [];
  for (const [query, run] of Object.entries(queries)) {
    const samples = [];
    for (let i = 0; i < repeats; i++) samples.push(await timed(run));
    results.push({ query, totalMs: median(samples.map((s) => s.totalMs)), longestBlockMs: median(samples.map((s) => s.longestBlockMs)) });
  }
  await store.close();
  return results;
}

export function queryChecks(results: readonly QueryBlock[], rows = 100_000): Check[] {
  return results.map(({ query, totalMs, longestBlockMs }) => ({
    label: `memory store, ${rows.toLocaleString('en-US')} rows, ${query}: the loop's longest hold (the query took ${totalMs.toFixed(1)} ms: one pass would hold it that long)`,
    value: `${longestBlockMs.toFixed(1)} ms`,
    target: `< ${QUERY_BLOCK_TARGET_MS} ms`,
    pass: longestBlockMs < QUERY_BLOCK_TARGET_MS,
  }));
}
