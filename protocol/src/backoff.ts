/** Bounds of `reconnectDelay`; every client that reconnects to the control API uses it. */
export interface BackoffOptions {
  /** First delay, before jitter. Default 250 ms. */
  baseMs?: number;
  /** Largest delay, before jitter, so a control API that comes back is found again soon. Default 3000 ms. */
  maxMs?: number;
  /**
   * Share of each delay left to chance, 0–1: the wait is between (1 − jitter) and all of it,
   * so many clients do not come back in step after a restart. Default 0.5.
   */
  jitter?: number;
}

/**
 * Delay before reconnection attempt `attempt` (0 = the first retry): doubling
 * from `baseMs` up to `maxMs`, then jittered down by at most `jitter` of it.
 * Stays in range for any `random()` value.
 *
 * @example reconnectDelay(0) // 125–250 ms
 * @example reconnectDelay(attempt, { baseMs: 500, maxMs: 5000 })
 */
export function reconnectDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs = 250, maxMs = 3000, jitter = 0.5 } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const share = Math.min(1, Math.max(0, jitter));
  const raw = random();
  const draw = raw >= 0 ? Math.min(1, raw) : 0; // NaN and negatives: the shortest wait
  return Math.round(ceiling * (1 - share + share * draw));
}
