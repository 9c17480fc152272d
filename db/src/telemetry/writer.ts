import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestRow, WsRow } from '@downspin/protocol';
import { pino, type Logger } from 'pino';
import type { RowPreparer } from '@downspin/protocol';
import { errorText } from './errors.js';
import { TelemetryQueue } from './queue.js';
import { TelemetrySender } from './sender.js';
import type { ClientEventRow } from './types.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL_MS, type TelemetryWriterOptions, type TelemetryWriterStats } from './writer-options.js';

export { DEFAULT_BATCH_SIZE, type TelemetryWriterOptions, type TelemetryWriterStats } from './writer-options.js';

/**
 * The proxy's TelemetrySink in front of a TelemetryStore: ONE queue
 * (TelemetryQueue: memory up to `maxQueuedRows`, then disk up to
 * `maxSpillBytes`, one drop counter) drained by one sender
 * (TelemetrySender: insert, backoff). Taking a row is an array push: it
 * never throws or waits. Rows are inserted in batches (by size and time),
 * in order; while the store is down they wait in memory, then on disk, and
 * are replayed in order when it is back. Only past both bounds are rows
 * dropped, and every dropped row is counted.
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
  private readonly queue: TelemetryQueue;
  private readonly sender: TelemetrySender;
  private readonly logger: Logger;
  private readonly flushIntervalMs: number;
  /** Cuts partial batches; set only while rows wait, so an idle writer never wakes its process. */
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kicked = false;
  private closing = false;
  private stopped = false;

  /** Creates a writer and opens its spill directory (replaying what a previous run left there). */
  static async open(options: TelemetryWriterOptions): Promise<TelemetryWriter> {
    const writer = new TelemetryWriter(options);
    if (await writer.queue.open()) writer.kick();
    return writer;
  }

  private constructor(options: TelemetryWriterOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.queue = new TelemetryQueue({
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      maxQueuedRows: options.maxQueuedRows ?? 50_000,
      spillDir: options.spillDir,
      maxSpillBytes: options.maxSpillBytes ?? 256 * 1024 * 1024,
      segmentBytes: options.segmentBytes ?? 4 * 1024 * 1024,
      logger: this.logger,
      onReady: () => this.kick(),
    });
    this.sender = new TelemetrySender({
      store: options.store,
      retryMinMs: options.retryMinMs ?? 250,
      retryMaxMs: options.retryMaxMs ?? 10_000,
      maxRejections: options.maxRejections ?? 3,
      logger: this.logger,
    });
    this.flushIntervalMs = options.flushIntervalMs ?? options.store.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  }

  /** Starts the flush timer when the first row arrives after the writer was idle. */
  private arm(): void {
    if (this.timer === undefined && !this.closing) this.timer = setInterval(this.onFlushTimer, this.flushIntervalMs).unref();
  }

  // A partial batch is cut only while no insert runs: rows that arrive
  // during a slow insert join the next batch instead of queueing up as
  // many small ones (each insert costs ClickHouse the same, however small).
  // With nothing left in memory the timer stops (the memory store's 25 ms
  // would otherwise wake an idle proxy 40 times a second).
  private readonly onFlushTimer = (): void => {
    if (this.queue.memoryRows() === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    } else if (this.running === undefined) this.queue.cutSoon();
  };

  /**
   * Sets what fills a row's computed fields from the source it was queued
   * with (the proxy: route from path, country from client IP), run off the
   * request path before the row is batched.
   */
  prepareWith(preparer: RowPreparer): void {
    this.queue.prepareWith(preparer);
  }

  /** One request row (the proxy's hot path: an array push); `source` is its client address. */
  request(row: RequestRow, source: string): void {
    this.queue.push('requests', row, source);
    if (this.timer === undefined) this.arm();
  }

  /** One WebSocket row; `source` is its client address. */
  webSocket(row: WsRow, source: string): void {
    this.queue.push('websockets', row, source);
    if (this.timer === undefined) this.arm();
  }

  writeRequests(rows: RequestRow[]): void {
    this.arm();
    if (this.queue.add('requests', rows)) this.kick();
  }

  writeWebSockets(rows: WsRow[]): void {
    this.arm();
    if (this.queue.add('websockets', rows)) this.kick();
  }

  writeClientEvents(rows: ClientEventRow[]): void {
    this.arm();
    if (this.queue.add('client_events', rows)) this.kick();
  }

  stats(): TelemetryWriterStats {
    return {
      queued: this.queue.memoryRows(),
      onDisk: this.queue.diskRows(),
      written: this.sender.written,
      spilled: this.queue.spilled,
      replayed: this.sender.replayed,
      dropped: this.queue.dropped,
      storeOk: this.sender.storeOk,
      lastError: this.sender.lastError,
    };
  }

  /** Sends what waits now, as far as the store allows; resolves when done or backing off. */
  async flush(): Promise<TelemetryWriterStats> {
    this.queue.cutAll();
    this.kick();
    while (this.running !== undefined) {
      await this.running;
      await this.queue.idle();
    }
    await this.queue.idle();
    return this.stats();
  }

  /**
   * Stops accepting rows, tries for up to `timeoutMs` to write what waits,
   * and spills the rest to disk for the next run (or counts it dropped).
   */
  async close(timeoutMs = 5000): Promise<TelemetryWriterStats> {
    if (this.closing) return this.stats();
    this.closing = true;
    this.queue.stopTaking();
    clearInterval(this.timer);
    this.timer = undefined;
    this.queue.cutAll();
    const deadline = Date.now() + timeoutMs;
    while (this.queue.hasWork()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      this.kick();
      // An insert that hangs must not hold shutdown past the deadline.
      await Promise.race([this.running, sleep(remaining, undefined, { ref: false })]);
      const backingOff = Math.min(this.sender.retryAt, deadline) - Date.now();
      if (this.queue.hasWork() && backingOff > 0) await sleep(backingOff, undefined, { ref: false });
    }
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    await this.queue.close();
    return this.stats();
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

  /** Sends batches in the queue's order until it is empty, the store fails (then a timer comes back), or the writer stops. */
  private async pump(): Promise<void> {
    try {
      while (!this.stopped) {
        const wait = this.sender.waitMs();
        if (wait > 0) {
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = undefined;
            this.kick();
          }, wait).unref();
          return;
        }
        const next = await this.queue.next();
        if (next === undefined) return;
        const outcome = await this.sender.send(next);
        if (outcome !== 'retry') this.queue.done(next, outcome === 'refused');
      }
    } catch (error) {
      // Only a disk failure gets here; back off as for a store failure.
      this.logger.error({ err: errorText(error) }, 'telemetry writer failed');
      this.sender.backOff();
    }
  }
}
