export interface BackoffOptions {
  /** First delay before jitter. Default 250 ms. */
  baseMs?: number;
  /**
   * Largest delay before jitter. Default 3000 ms, so a control API that comes
   * back is found again within about 3 s.
   */
  maxMs?: number;
}

/**
 * Delay before reconnect attempt `attempt` (0 = first): exponential, capped,
 * with jitter between half and all of it so many clients do not come back in
 * step after a restart.
 *
 * @example reconnectDelay(0, Math.random) // 125–250 ms
 */
export function reconnectDelay(attempt: number, random: () => number, options: BackoffOptions = {}): number {
  const { baseMs = 250, maxMs = 3000 } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + 0.5 * Math.min(1, Math.max(0, random()))));
}
