import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestRow, WsRow } from '@downspin/protocol';
import { pino, type Logger } from 'pino';
import { errorText, TelemetryStoreError } from './errors.js';
import { BatchQueue, type Queued, type RowOf } from './batch-queue.js';
import { SpillQueue } from './spill.js';
import type { ClientEventRow, TelemetryKind, TelemetryStore } from './types.js';
import { DEFAULT_BATCH_SIZE, type TelemetryWriterOptions, type TelemetryWriterStats } from './writer-options.js';

export { DEFAULT_BATCH_SIZE, type TelemetryWriterOptions, type TelemetryWriterStats } from './writer-options.js';

/**
 * The proxy's TelemetrySink (structurally: `writeRequests`, `writeWebSockets`)
 * in front of a TelemetryStore. Hand-off is an array push: it never throws
 * or waits. Rows are inserted in batches (by size and time), in order; while
 * the store is down they wait in memory up to `maxQueuedRows`, then spill to
 * disk up to `maxSpillBytes` and are replayed in order when it is back. Only
 * past both bounds are rows dropped, and every dropped row is counted.
 *
 * Exactly once: a batch keeps its id through retries, spills and restarts,
 * and every retry is an insert with `mayExist`, which stores only the rows
 * not already there.
 *
 * @example
 * const writer = await TelemetryWriter.open({ store, spillDir: './.downspin/telemetry-spill' });
 * const emitter = new TelemetryEmitter({ sink: writer, countryOf });
 * // on shutdown:
 * await writer.close();
 */
export class TelemetryWriter {
  private readonly store: TelemetryStore;
  private readonly logger: Logger;
  private readonly maxQueuedRows: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly maxRejections: number;
  private spill: SpillQueue | undefined;
  private readonly memory: BatchQueue;
  private spillingRows = 0;
  private inflight: Queued | undefined;
  private replay: { seq: number; items: Queued[]; index: number; rows: number } | undefined;
  private readonly timer: NodeJS.Timeout;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private backoff: number;
  private running: Promise<void> | undefined;
  private kicked = false;
  private spillRunning: Promise<void> | undefined;
  private closing = false;
  private stopped = false;
  private counters = { written: 0, spilled: 0, replayed: 0, dropped: 0 };
  private storeOk = true;
  private lastError: string | undefined;

  /** Creates a writer and opens its spill directory (replaying what a previous run left there). */
  static async open(options: TelemetryWriterOptions): Promise<TelemetryWriter> {
    const writer = new TelemetryWriter(options);
    await writer.openSpill(options);
    return writer;
  }

  private constructor(options: TelemetryWriterOptions) {
    this.store = options.store;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.memory = new BatchQueue(options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.maxQueuedRows = options.maxQueuedRows ?? 50_000;
    this.retryMinMs = options.retryMinMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 10_000;
    this.maxRejections = options.maxRejections ?? 3;
    this.backoff = this.retryMinMs;
    this.timer = setInterval(() => {
      this.memory.cutAll();
      this.kick();
    }, options.flushIntervalMs ?? 1000).unref();
  }

  private async openSpill(options: TelemetryWriterOptions): Promise<void> {
    if (options.spillDir === undefined) return;
    const spill = new SpillQueue(options.spillDir, {
      maxBytes: options.maxSpillBytes ?? 256 * 1024 * 1024,
      segmentBytes: options.segmentBytes ?? 4 * 1024 * 1024,
      logger: this.logger,
    });
    try {
      if (await spill.open()) {
        this.spill = spill;
        if (!spill.isEmpty) this.kick();
      } else {
        this.logger.error({ dir: options.spillDir }, 'telemetry spill dir is in use by another process; spilling disabled');
      }
    } catch (error) {
      this.logger.error({ err: errorText(error), dir: options.spillDir }, 'telemetry spill dir unusable; spilling disabled');
    }
  }

  writeRequests(rows: RequestRow[]): void {
    this.accept('requests', rows);
  }

  writeWebSockets(rows: WsRow[]): void {
    this.accept('websockets', rows);
  }

  writeClientEvents(rows: ClientEventRow[]): void {
    this.accept('client_events', rows);
  }

  stats(): TelemetryWriterStats {
    return {
      queued: this.memoryRows(),
      onDisk: (this.spill?.rows ?? 0) + (this.replay?.rows ?? 0) + this.spillingRows,
      ...this.counters,
      storeOk: this.storeOk,
      lastError: this.lastError,
    };
  }

  /** Sends what waits now, as far as the store allows; resolves when done or backing off. */
  async flush(): Promise<TelemetryWriterStats> {
    this.memory.cutAll();
    this.kick();
    while (this.running !== undefined || this.spillRunning !== undefined) {
      await this.running;
      await this.spillRunning;
    }
    return this.stats();
  }

  /**
   * Stops accepting rows, tries for up to `timeoutMs` to write what waits,
   * and spills the rest to disk for the next run (or counts it dropped).
   */
  async close(timeoutMs = 5000): Promise<TelemetryWriterStats> {
    if (this.closing) return this.stats();
    this.closing = true;
    clearInterval(this.timer);
    this.memory.cutAll();
    const deadline = Date.now() + timeoutMs;
    while (this.hasWork()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      this.kick();
      // An insert that hangs must not hold shutdown past the deadline.
      await Promise.race([this.running, sleep(remaining, undefined, { ref: false })]);
      const backingOff = Math.min(this.retryAt, deadline) - Date.now();
      if (this.hasWork() && backingOff > 0) await sleep(backingOff, undefined, { ref: false });
    }
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    await this.spillRunning;
    // An insert may still be running: its batch goes to disk marked mayExist, so the next run cannot store it twice.
    const left = [...(this.inflight !== undefined && !this.inflight.fromDisk ? [{ ...this.inflight, mayExist: true }] : []), ...this.memory.takeAll().batches];
    const leftRows = left.reduce((sum, q) => sum + q.batch.rows.length, 0);
    if (this.inflight !== undefined && !this.inflight.fromDisk) this.inflight = undefined;
    if (leftRows > 0) {
      if (this.spill !== undefined) {
        const { spilled, dropped } = await this.spill.append(left);
        this.counters.spilled += spilled;
        this.counters.dropped += dropped;
      } else {
        this.counters.dropped += leftRows;
      }
    }
    await this.spill?.close();
    return this.stats();
  }

  private accept<K extends TelemetryKind>(kind: K, rows: ReadonlyArray<RowOf<K>>): void {
    if (rows.length === 0) return;
    if (this.closing) {
      this.counters.dropped += rows.length;
      return;
    }
    // With a disk behind it, memory may run past its bound while a spill is being written.
    const cap = this.spill !== undefined ? this.maxQueuedRows * 2 : this.maxQueuedRows;
    const taken = this.memory.add(kind, rows, Math.max(0, cap - this.memoryRows()));
    this.counters.dropped += rows.length - taken;
    if (this.memoryRows() > this.maxQueuedRows) this.spillMemory();
    if (this.memory.hasBatches) this.kick();
  }

  private memoryRows(): number {
    const inflight = this.inflight !== undefined && !this.inflight.fromDisk ? this.inflight.batch.rows.length : 0;
    return this.memory.rows + inflight;
  }

  private hasWork(): boolean {
    return this.memoryRows() > 0 || this.replay !== undefined || this.spill?.isEmpty === false;
  }

  /** Everything in memory but the batch in flight moves to the tail of the disk queue, keeping order. */
  private spillMemory(): void {
    const spill = this.spill;
    if (spill === undefined || this.spillRunning !== undefined) return;
    const { batches, rows } = this.memory.takeAll();
    if (rows === 0) return;
    this.spillingRows += rows;
    this.spillRunning = spill.append(batches).then(
      ({ spilled, dropped }) => {
        this.counters.spilled += spilled;
        this.counters.dropped += dropped;
        if (dropped > 0) this.logger.error({ dropped }, 'telemetry spill full; rows dropped');
      },
      (error: unknown) => {
        this.counters.dropped += rows;
        this.logger.error({ err: errorText(error) }, 'telemetry spill failed; rows dropped');
      },
    ).finally(() => {
      this.spillingRows -= rows;
      this.spillRunning = undefined;
      if (this.memoryRows() > this.maxQueuedRows) this.spillMemory();
    });
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.kicked = true;
      return;
    }
    this.running = this.pump().finally(() => {
      this.running = undefined;
      if (this.kicked) {
        this.kicked = false;
        this.kick();
      }
    });
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopped) {
        const wait = this.retryAt - Date.now();
        if (wait > 0) {
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = undefined;
            this.kick();
          }, wait).unref();
          return;
        }
        const next = await this.next();
        if (next === undefined) return;
        await this.send(next);
      }
    } catch (error) {
      // Only a disk failure gets here; back off as for a store failure.
      this.logger.error({ err: errorText(error) }, 'telemetry writer failed');
      this.retryAt = Date.now() + this.backoff;
    }
  }

  /** Order: the batch being retried, then disk (oldest first), then memory. */
  private async next(): Promise<Queued | undefined> {
    if (this.inflight !== undefined) return this.inflight;
    const spill = this.spill;
    if (spill !== undefined) {
      // Appends already started must land before memory may go ahead of them.
      await spill.idle();
      if (this.replay !== undefined && this.replay.index >= this.replay.items.length) {
        await spill.remove(this.replay.seq);
        this.replay = undefined;
      }
      if (this.replay === undefined && !spill.isEmpty) {
        const segment = await spill.takeOldest();
        if (segment !== undefined) {
          const items = segment.items.map((item) => ({ ...item, fromDisk: true, rejections: 0 }));
          this.replay = { seq: segment.seq, items, index: 0, rows: items.reduce((sum, q) => sum + q.batch.rows.length, 0) };
        }
      }
      if (this.replay !== undefined && this.replay.index < this.replay.items.length) {
        this.inflight = this.replay.items[this.replay.index];
        return this.inflight;
      }
    }
    this.inflight = this.memory.shift();
    return this.inflight;
  }

  private async send(queued: Queued): Promise<void> {
    const rows = queued.batch.rows.length;
    try {
      await this.store.insert(queued.batch, { mayExist: queued.mayExist });
    } catch (error) {
      // Whatever happened, part of the batch may be stored now.
      queued.mayExist = true;
      const retryable = error instanceof TelemetryStoreError && error.retryable;
      if (!retryable && ++queued.rejections >= this.maxRejections) {
        this.logger.error({ err: errorText(error), batch: queued.batch.id, rows }, 'telemetry batch refused by the store; dropped');
        this.counters.dropped += rows;
        this.done(queued);
        return;
      }
      if (this.storeOk || this.lastError !== errorText(error)) {
        this.logger.warn({ err: errorText(error), retryInMs: this.backoff }, 'telemetry insert failed; will retry');
      }
      this.storeOk = false;
      this.lastError = errorText(error);
      this.retryAt = Date.now() + this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.retryMaxMs);
      return;
    }
    this.counters.written += rows;
    if (queued.fromDisk) this.counters.replayed += rows;
    if (!this.storeOk) this.logger.info('telemetry store back; writing');
    this.storeOk = true;
    this.lastError = undefined;
    this.backoff = this.retryMinMs;
    this.done(queued);
  }

  private done(queued: Queued): void {
    this.inflight = undefined;
    if (queued.fromDisk && this.replay !== undefined) {
      this.replay.index++;
      this.replay.rows -= queued.batch.rows.length;
    }
  }
}
