import type { Logger } from 'pino';
import type { RowPreparer } from '@downspin/protocol';
import { BatchQueue, type Queued, type RowOf } from './batch-queue.js';
import { errorText } from './errors.js';
import { SpillQueue } from './spill.js';
import type { TelemetryKind } from './types.js';

export interface TelemetryQueueOptions {
  batchSize: number;
  /** Rows held in memory (waiting, cut into batches, or in flight) before spilling to disk, or dropping without one. */
  maxQueuedRows: number;
  spillDir: string | undefined;
  maxSpillBytes: number;
  segmentBytes: number;
  logger: Logger;
  /** A full batch is ready to send. */
  onReady: () => void;
}

/**
 * THE telemetry queue, from the proxy's hot path to the store: rows in
 * memory up to one bound (`maxQueuedRows`), then on disk up to
 * `maxSpillBytes`, with ONE drop counter for every row lost anywhere. It
 * decides the order rows leave in: the batch being retried, then disk
 * (oldest first), then memory. What leaves is the sender's business.
 */
export class TelemetryQueue {
  private readonly memory: BatchQueue;
  private spill: SpillQueue | undefined;
  private spillingRows = 0;
  private spillRunning: Promise<void> | undefined;
  /** The batch being sent (or waiting to be retried). */
  private inflight: Queued | undefined;
  private replay: { seq: number; items: Queued[]; index: number; rows: number } | undefined;
  private closed = false;
  spilled = 0;
  dropped = 0;

  constructor(private readonly options: TelemetryQueueOptions) {
    this.memory = new BatchQueue(options.batchSize, options.onReady);
  }

  /** Opens the spill directory; true when what a previous run left there waits to be replayed. */
  async open(): Promise<boolean> {
    const { spillDir, logger } = this.options;
    if (spillDir === undefined) return false;
    const spill = new SpillQueue(spillDir, { maxBytes: this.options.maxSpillBytes, segmentBytes: this.options.segmentBytes, logger });
    try {
      if (await spill.open()) {
        this.spill = spill;
        return !spill.isEmpty;
      }
      logger.error({ dir: spillDir }, 'telemetry spill dir is in use by another process; spilling disabled');
    } catch (error) {
      logger.error({ err: errorText(error), dir: spillDir }, 'telemetry spill dir unusable; spilling disabled');
    }
    return false;
  }

  prepareWith(preparer: RowPreparer): void {
    this.memory.prepareWith(preparer);
  }

  /** One row, on the proxy's hot path: a bound check and an array push. */
  push<K extends TelemetryKind>(kind: K, row: RowOf<K>, source: string): void {
    if (this.closed || this.memoryRows() >= this.cap()) {
      this.dropped++;
      return;
    }
    this.memory.push(kind, row, source);
    if (this.memoryRows() > this.options.maxQueuedRows) this.spillMemory();
  }

  /** Whole rows at once (client events); returns true when a batch is ready to send. */
  add<K extends TelemetryKind>(kind: K, rows: ReadonlyArray<RowOf<K>>): boolean {
    if (this.closed) {
      this.dropped += rows.length;
      return false;
    }
    const taken = this.memory.add(kind, rows, Math.max(0, this.cap() - this.memoryRows()));
    this.dropped += rows.length - taken;
    if (this.memoryRows() > this.options.maxQueuedRows) this.spillMemory();
    return this.memory.hasBatches;
  }

  /** Cuts what waits into batches (partial ones too) on later turns, a chunk at a time; `onReady` says when one is there. */
  cutSoon(): void {
    this.memory.cutSoon();
  }

  /** Cuts what waits into batches (partial ones too) now; true when there is a batch to send. */
  cutAll(): boolean {
    this.memory.cutAll();
    return this.memory.hasBatches;
  }

  /** Rows in memory, the batch in flight included. */
  memoryRows(): number {
    const inflight = this.inflight !== undefined && !this.inflight.fromDisk ? this.inflight.batch.rows.length : 0;
    return this.memory.rows + inflight;
  }

  /** Rows on disk, being written there, or read back for replay. */
  diskRows(): number {
    return (this.spill?.rows ?? 0) + (this.replay?.rows ?? 0) + this.spillingRows;
  }

  hasWork(): boolean {
    return this.memoryRows() > 0 || this.replay !== undefined || this.spill?.isEmpty === false;
  }

  /** Resolves when no spill write is running. */
  async idle(): Promise<void> {
    while (this.spillRunning !== undefined) await this.spillRunning;
  }

  /** The next batch to send, in order: the batch being retried, then disk (oldest first), then memory. */
  async next(): Promise<Queued | undefined> {
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

  /** The batch left the queue: stored, or dropped (counted here) when `dropped`. */
  done(queued: Queued, dropped = false): void {
    if (dropped) this.dropped += queued.batch.rows.length;
    this.inflight = undefined;
    if (queued.fromDisk && this.replay !== undefined) {
      this.replay.index++;
      this.replay.rows -= queued.batch.rows.length;
    }
  }

  /** From now on every row offered is dropped (and counted). */
  stopTaking(): void {
    this.closed = true;
  }

  /**
   * Stops taking rows; moves what is still in memory (an insert that may
   * still be running included, marked mayExist so the next run cannot store
   * it twice) to disk, or counts it dropped without one.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    const inflight = this.inflight !== undefined && !this.inflight.fromDisk ? [{ ...this.inflight, mayExist: true }] : [];
    if (inflight.length > 0) this.inflight = undefined;
    const left = [...inflight, ...this.memory.takeAll().batches];
    const leftRows = left.reduce((sum, q) => sum + q.batch.rows.length, 0);
    if (leftRows > 0) {
      if (this.spill !== undefined) {
        const { spilled, dropped } = await this.spill.append(left);
        this.spilled += spilled;
        this.dropped += dropped;
      } else {
        this.dropped += leftRows;
      }
    }
    await this.spill?.close();
  }

  /** With a disk behind it, memory may run past its bound while a spill is being written. */
  private cap(): number {
    return this.spill !== undefined ? this.options.maxQueuedRows * 2 : this.options.maxQueuedRows;
  }

  /** Everything in memory but the batch in flight moves to the tail of the disk queue, keeping order. */
  private spillMemory(): void {
    const spill = this.spill;
    if (spill === undefined || this.spillRunning !== undefined) return;
    const { batches, rows } = this.memory.takeAll();
    if (rows === 0) return;
    const { logger } = this.options;
    this.spillingRows += rows;
    this.spillRunning = spill
      .append(batches)
      .then(
        ({ spilled, dropped }) => {
          this.spilled += spilled;
          this.dropped += dropped;
          if (dropped > 0) logger.error({ dropped }, 'telemetry spill full; rows dropped');
        },
        (error: unknown) => {
          this.dropped += rows;
          logger.error({ err: errorText(error) }, 'telemetry spill failed; rows dropped');
        },
      )
      .finally(() => {
        this.spillingRows -= rows;
        this.spillRunning = undefined;
        if (this.memoryRows() > this.options.maxQueuedRows) this.spillMemory();
      });
  }
}
