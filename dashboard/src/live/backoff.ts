export interface BackoffOptions {
  /** First wait. Default 500 ms. */
  baseMs?: number;
  /** Longest wait, so a control API that comes back is found again soon. Default 5000 ms. */
  maxMs?: number;
  /** ± share of randomness, so many dashboards do not reconnect in step. Default 0.2. */
  jitter?: number;
}

/**
 * How long to wait before reconnection attempt `attempt` (0 = the first
 * retry): doubling from `baseMs` up to `maxMs`, with jitter.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs = 500, maxMs = 5000, jitter = 0.2 } = options;
  const plain = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  const spread = plain * jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(maxMs, plain + spread)));
}
