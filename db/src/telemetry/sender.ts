import type { Logger } from 'pino';
import type { Queued } from './batch-queue.js';
import { errorText, TelemetryStoreError } from './errors.js';
import type { TelemetryStore } from './types.js';

export interface TelemetrySenderOptions {
  store: TelemetryStore;
  retryMinMs: number;
  retryMaxMs: number;
  maxRejections: number;
  logger: Logger;
}

/** What became of a batch: stored, given up on (refused as invalid too often), or to be sent again later. */
export type SendOutcome = 'stored' | 'refused' | 'retry';

/**
 * Inserts one batch at a time and keeps the store's health: exponential
 * backoff after a failure, a batch refused as invalid `maxRejections` times
 * is given up. Exactly once: every retry is an insert with `mayExist`, which
 * stores only the rows not already there (the batch keeps its id).
 */
export class TelemetrySender {
  private backoff: number;
  /** No insert before this (epoch ms). */
  retryAt = 0;
  storeOk = true;
  lastError: string | undefined;
  written = 0;
  replayed = 0;

  constructor(private readonly options: TelemetrySenderOptions) {
    this.backoff = options.retryMinMs;
  }

  /** Ms to wait before the next insert (0: now). */
  waitMs(): number {
    return Math.max(0, this.retryAt - Date.now());
  }

  /** Backs off as after a failed insert (the disk failed instead). */
  backOff(): void {
    this.retryAt = Date.now() + this.backoff;
  }

  async send(queued: Queued): Promise<SendOutcome> {
    const { store, logger } = this.options;
    const rows = queued.batch.rows.length;
    try {
      await store.insert(queued.batch, { mayExist: queued.mayExist });
    } catch (error) {
      // Whatever happened, part of the batch may be stored now.
      queued.mayExist = true;
      const retryable = error instanceof TelemetryStoreError && error.retryable;
      if (!retryable && ++queued.rejections >= this.options.maxRejections) {
        logger.error({ err: errorText(error), batch: queued.batch.id, rows }, 'telemetry batch refused by the store; dropped');
        return 'refused';
      }
      if (this.storeOk || this.lastError !== errorText(error)) {
        logger.warn({ err: errorText(error), retryInMs: this.backoff }, 'telemetry insert failed; will retry');
      }
      this.storeOk = false;
      this.lastError = errorText(error);
      this.retryAt = Date.now() + this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.options.retryMaxMs);
      return 'retry';
    }
    this.written += rows;
    if (queued.fromDisk) this.replayed += rows;
    if (!this.storeOk) logger.info('telemetry store back; writing');
    this.storeOk = true;
    this.lastError = undefined;
    this.backoff = this.options.retryMinMs;
    return 'stored';
  }
}
