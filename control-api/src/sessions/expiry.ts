import type { SessionStore } from '@downspin/db';
import type { Logger } from 'pino';

export interface SessionExpiryOptions {
  store: SessionStore;
  logger: Logger;
  /** Sessions never shaped with no activity or consent for this long are deleted. */
  idleTtlMs: number;
  /** How often the store is swept. */
  intervalMs: number;
  /** Rows deleted per statement, so one sweep never holds a long lock. Default 1000. */
  batch?: number;
}

export interface SessionExpiryStats {
  /** Sessions deleted since start. */
  expired: number;
  /** Sweeps the store failed (retried at the next interval). */
  failures: number;
}

/** Statements per sweep; what is left waits for the next interval. */
const MAX_BATCHES_PER_SWEEP = 100;

/**
 * Deletes idle sessions that were never shaped, on a timer. Every client
 * without a cookie, every load-tool request and every made-up id adds a
 * session row; without this the store grows for as long as the process runs.
 * Shaped sessions (and their command history) stay, and so do banned ones.
 * Runs on the instance that ingests activity, so only one instance sweeps.
 */
export class SessionExpiry {
  private readonly counts: SessionExpiryStats = { expired: 0, failures: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: SessionExpiryOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Deletes what is idle now; resolves to how many. A sweep already running is joined, not doubled. */
  sweep(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  stats(): SessionExpiryStats {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async run(): Promise<number> {
    const { store, logger, idleTtlMs } = this.options;
    const batch = this.options.batch ?? 1000;
    const idleSince = Date.now() - idleTtlMs;
    let deleted = 0;
    try {
      for (let round = 0; round < MAX_BATCHES_PER_SWEEP; round++) {
        const n = await store.expireIdle(idleSince, batch);
        deleted += n;
        if (n < batch) break;
      }
    } catch (error) {
      this.counts.failures++;
      logger.warn({ err: error }, 'session expiry: the store refused the sweep; retrying at the next interval');
    }
    this.counts.expired += deleted;
    if (deleted > 0) logger.info({ expired: deleted, idleTtlMs }, 'expired idle sessions never shaped');
    return deleted;
  }
}
