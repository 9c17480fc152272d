import { Transform, type TransformCallback } from 'node:stream';
import type { Reservation, SharedLink } from './shared-link.js';

/** Slices of about 20 ms of link time: smooth pacing without a timer per byte. */
const SLICE_MS = 20;
const MIN_SLICE = 512;
const MAX_SLICE = 16 * 1024;

/**
 * Passes a body through a session's shared link slice by slice. Holds at
 * most one chunk, so memory per connection stays bounded and backpressure
 * reaches the sender; the body is never buffered whole.
 */
export class PacedStream extends Transform {
  /** Body bytes that went through. */
  bytes = 0;
  private chunk: Buffer | undefined;
  private offset = 0;
  private callback: TransformCallback | undefined;
  private slice: Buffer | undefined;
  private readonly reservation: Reservation;

  constructor(private readonly link: SharedLink) {
    super();
    this.reservation = { bytes: 0, done: this.onSliceCrossed };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.chunk = chunk;
    this.offset = 0;
    this.callback = callback;
    this.sendSlice();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Give the link back the time this stream had reserved.
    this.reservation.bytes = 0;
    this.chunk = undefined;
    this.slice = undefined;
    callback(error);
  }

  private sendSlice(): void {
    const chunk = this.chunk!;
    if (this.offset >= chunk.length) {
      const callback = this.callback!;
      this.chunk = undefined;
      this.callback = undefined;
      callback();
      return;
    }
    const rate = this.link.bytesPerSecond;
    const size = Number.isFinite(rate)
      ? Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor((rate * SLICE_MS) / 1000)))
      : chunk.length;
    const end = Math.min(chunk.length, this.offset + size);
    this.slice = chunk.subarray(this.offset, end);
    this.offset = end;
    this.reservation.bytes = this.slice.length;
    this.link.reserve(this.reservation);
  }

  private readonly onSliceCrossed = (): void => {
    const slice = this.slice;
    if (this.destroyed || slice === undefined) return;
    this.slice = undefined;
    this.bytes += slice.length;
    this.push(slice);
    this.sendSlice();
  };
}
