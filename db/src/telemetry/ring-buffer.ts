/** A fixed-capacity FIFO that overwrites its oldest item when full. */
export class RingBuffer<T> {
  private readonly items: Array<T | undefined>;
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Adds an item; returns the oldest one when it pushed it out. */
  push(item: T): T | undefined {
    const end = (this.start + this.length) % this.capacity;
    const oldest = this.items[end];
    this.items[end] = item;
    if (this.length < this.capacity) {
      this.length++;
      return undefined;
    }
    this.start = (this.start + 1) % this.capacity;
    return oldest;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const oldest = this.items[this.start];
    this.items[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.length--;
    return oldest;
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
