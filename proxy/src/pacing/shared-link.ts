/**
 * One direction of a session's link: a FIFO of byte reservations served at
 * `bytesPerSecond`, shared by every connection of the session so that two
 * parallel downloads split the budget as on a real link.
 *
 * A reservation completes when its last byte would have crossed the link
 * (virtual time), so the receiver sees the configured rate. Timers are set
 * against virtual time, so a late timer does not slow the link: while the
 * link is busy, up to LATE_CATCH_UP_MS of timer lateness (a busy event loop,
 * a starved CPU) is made up on the next slices. A link that was idle only
 * lets IDLE_BURST_MS of bytes through at once, as a real link would.
 */
const LATE_CATCH_UP_MS = 250;
const IDLE_BURST_MS = 20;
/** A reservation arriving this soon after the last one finished continues a busy link. */
const CONTINUOUS_MS = 5;

/** A pacer owns one and reuses it: it has at most one reservation waiting. */
export interface Reservation {
  bytes: number;
  done: () => void;
}

/** The link's clock: performance.now() in the proxy; tests pass one that can run late. */
export type Clock = () => number;
const monotonicNow: Clock = () => performance.now();

export class SharedLink {
  private readonly queue: Reservation[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Virtual time (the clock's) at which the link finished its last reservation. */
  private freeAt = -Infinity;
  /** When the reservation being served started, and its planned end. */
  private servingStart = 0;
  private servingEnd = 0;
  private bytesPerMs: number;
  /** True while a `done` callback runs: it may reserve again, and must not start a second timer. */
  private dispatching = false;
  /** The clock's time when the last reservation finished. */
  private lastFinishedAt = -Infinity;
  /** Bytes that have crossed the link (for stats and tests). */
  bytesPassed = 0;

  constructor(
    bytesPerSecond: number,
    private readonly now: Clock = monotonicNow,
  ) {
    this.bytesPerMs = bytesPerSecond / 1000;
  }

  get bytesPerSecond(): number {
    return this.bytesPerMs * 1000;
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Calls `reservation.done` once its bytes have crossed the link. Set bytes to 0 to cancel. */
  reserve(reservation: Reservation): void {
    this.queue.push(reservation);
    if (this.timer === undefined && !this.dispatching) this.serveNext();
  }

  /**
   * Changes the rate mid-stream without losing data: the reservation being
   * served keeps the time it already waited and finishes the rest of its
   * bytes at the new rate.
   */
  setRate(bytesPerSecond: number): void {
    const newPerMs = bytesPerSecond / 1000;
    if (newPerMs === this.bytesPerMs) return;
    const now = this.now();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      const current = this.queue[this.head]!;
      const elapsed = Math.max(0, now - this.servingStart);
      const remaining = Math.max(0, current.bytes - elapsed * this.bytesPerMs);
      this.bytesPerMs = newPerMs;
      this.servingStart = now;
      this.servingEnd = now + remaining / newPerMs;
      this.timer = setTimeout(this.finishHead, Math.max(0, this.servingEnd - now));
      return;
    }
    this.bytesPerMs = newPerMs;
  }

  private serveNext(): void {
    if (this.head >= this.queue.length) {
      this.compact();
      return;
    }
    const next = this.queue[this.head]!;
    const now = this.now();
    const window = now - this.lastFinishedAt <= CONTINUOUS_MS ? LATE_CATCH_UP_MS : IDLE_BURST_MS;
    const start = this.freeAt > now - window ? this.freeAt : now - window;
    this.servingStart = start;
    this.servingEnd = start + next.bytes / this.bytesPerMs;
    const wait = this.servingEnd - now;
    this.timer = setTimeout(this.finishHead, wait > 0 ? wait : 0);
  }

  private readonly finishHead = (): void => {
    this.timer = undefined;
    const current = this.queue[this.head++]!;
    this.freeAt = this.servingEnd;
    this.lastFinishedAt = this.now();
    this.bytesPassed += current.bytes;
    this.dispatching = true;
    try {
      current.done();
    } finally {
      this.dispatching = false;
    }
    this.compact();
    this.serveNext();
  };

  /** Drops served entries; cheap, since it runs only once many have piled up. */
  private compact(): void {
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
