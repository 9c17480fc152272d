import type { LoadResult } from './load-result.js';

/** wrk prints durations with these units (src/units.c: us, ms, s, m, h). */
const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function percentile(text: string, percent: number): number {
  const match = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(text);
  if (match === null) throw new Error(`wrk output has no ${percent}% latency line (was --latency passed?)`);
  return Number(match[1]) * TIME_UNITS_MS[match[2]!]!;
}

/**
 * Reads the figures out of `wrk --latency` output: requests/s, p50 and p99
 * latency in ms, the request count, non-2xx/3xx responses and socket errors.
 * Throws, quoting the output, when it is not a finished wrk run.
 *
 * @example parseWrkOutput(stdout).requestsPerSec // 25539.64
 */
export function parseWrkOutput(text: string): LoadResult {
  const rps = /^Requests\/sec:\s+([\d.]+)\s*$/m.exec(text);
  const total = /^\s*(\d+) requests in [\d.]+\w+, /m.exec(text);
  if (rps === null || total === null) {
    throw new Error(`not the output of a finished wrk run: ${text.trim().slice(0, 300) || '(empty)'}`);
  }
  const non2xx = /^\s*Non-2xx or 3xx responses: (\d+)\s*$/m.exec(text);
  const socket = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$/m.exec(text);
  const socketErrors = socket === null ? 0 : socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0);
  return {
    requestsPerSec: Number(rps[1]),
    p50Ms: percentile(text, 50),
    p99Ms: percentile(text, 99),
    requests: Number(total[1]),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors,
  };
}
