import type { Logger } from 'pino';
import type { TelemetryStore } from './types.js';

/**
 * Rows per insert. With ClickHouse's 5 s flush (its store's flushIntervalMs),
 * a proxy below 4,000 requests a second makes at most one insert every 5 s
 * per table: every insert writes new parts (each column a file, the minute
 * rollup too) that are merged later, and 18.16 spends 40-100 ms of CPU per
 * insert on top of a few µs per row.
 */
export const DEFAULT_BATCH_SIZE = 20_000;

/** Partial batches are cut this often for a store that does not ask otherwise (the memory store asks for 25 ms, ClickHouse 5 s). */
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;

export interface TelemetryWriterOptions {
  store: TelemetryStore;
  /** Where rows go when memory is full and the store is down; without it they are dropped (and counted). */
  spillDir?: string;
  /** Rows per insert. Default DEFAULT_BATCH_SIZE. */
  batchSize?: number;
  /**
   * Waiting rows are cut into a (partial) batch this often, whenever no insert is running.
   * Default: the store's `flushIntervalMs` (memory 25 ms, ClickHouse 5 s), else DEFAULT_FLUSH_INTERVAL_MS (1 s).
   */
  flushIntervalMs?: number;
  /** Rows held in memory before spilling to disk. Default 50 000. */
  maxQueuedRows?: number;
  /** Disk bound for spilled rows. Default 256 MiB. */
  maxSpillBytes?: number;
  /** Spill segment size. Default 4 MiB. */
  segmentBytes?: number;
  /** Retry delay after a failed insert, doubling up to retryMaxMs. Defaults 250 ms and 10 s. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** A batch the store refuses as invalid this many times is dropped. Default 3. */
  maxRejections?: number;
  logger?: Logger;
}

/** For /admin/stats and /metrics. Row counts; `written` includes `replayed`. */
export interface TelemetryWriterStats {
  /** Rows waiting in memory. */
  queued: number;
  /** Rows waiting on disk. */
  onDisk: number;
  written: number;
  /** Rows ever moved to disk. */
  spilled: number;
  /** Rows written after a stay on disk. */
  replayed: number;
  dropped: number;
  storeOk: boolean;
  lastError: string | undefined;
}
