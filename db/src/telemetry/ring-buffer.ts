/**
 * Rows kept oldest first, up to a limit, each with its estimated bytes (the
 * memory store bounds its rows by both). Two kinds: `RingBuffer` keeps the
 * row objects, `ColumnRing` keeps their values in columns.
 */
export interface Ring {
  readonly size: number;
  /** The kept rows' estimated bytes, summed. */
  readonly bytes: number;
  /** Lets go of the oldest row; false when there was none. */
  shift(): boolean;
}

/** A fixed-capacity FIFO of row objects that overwrites its oldest row when full. */
export class RingBuffer<T> implements Ring {
  private readonly items: Array<T | undefined>;
  private readonly weights: Float64Array;
  private start = 0;
  private length = 0;
  bytes = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacity);
    this.weights = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Keeps a row estimated at `bytes`; true when that pushed the oldest row out. */
  push(item: T, bytes = 0): boolean {
    const end = (this.start + this.length) % this.capacity;
    this.items[end] = item;
    this.bytes += bytes - this.weights[end]!;
    this.weights[end] = bytes;
    if (this.length < this.capacity) {
      this.length++;
      return false;
    }
    this.start = (this.start + 1) % this.capacity;
    return true;
  }

  shift(): boolean {
    if (this.length === 0) return false;
    this.items[this.start] = undefined;
    this.bytes -= this.weights[this.start]!;
    this.weights[this.start] = 0;
    this.start = (this.start + 1) % this.capacity;
    this.length--;
    return true;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.items[(this.start + i) % this.capacity]!;
  }

  /** Newest first. */
  *reversed(): IterableIterator<T> {
    for (let i = this.length - 1; i >= 0; i--) yield this.items[(this.start + i) % this.capacity]!;
  }
}
