export interface BatcherOptions<T> {
  /** Sent as soon as this many are waiting. */
  batchSize: number;
  /** …or this long after the first one arrived. */
  flushIntervalMs: number;
  send: (batch: T[]) => void;
  /** Most items kept waiting; more are dropped (and counted). Default 100. */
  maxQueued?: number;
}

/**
 * Collects items and hands them on in batches: when `batchSize` are waiting
 * or `flushIntervalMs` after the first, whichever comes first.
 *
 * @example
 * const batcher = new Batcher({ batchSize: 10, flushIntervalMs: 2000, send: (events) => post(events) });
 * batcher.add(event);
 */
export class Batcher<T> {
  private queue: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dropped = 0;

  constructor(private options: BatcherOptions<T>) {}

  get droppedCount(): number {
    return this.dropped;
  }

  add(item: T): void {
    if (this.queue.length >= (this.options.maxQueued ?? 100)) {
      this.dropped++;
      return;
    }
    this.queue.push(item);
    if (this.queue.length >= this.options.batchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs);
  }

  /** Sends what is waiting now (e.g. when the page goes away). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.options.send(batch);
  }

  configure(batchSize: number, flushIntervalMs: number): void {
    this.options = { ...this.options, batchSize, flushIntervalMs };
    if (this.queue.length >= batchSize) this.flush();
  }

  /** Forgets what is waiting: nothing more is sent. */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
  }
}
