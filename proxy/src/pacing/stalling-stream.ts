import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes the first `after` bytes of a body, then holds the rest for `ms`
 * and goes on. Holds at most the one chunk that crossed the mark: the
 * callback waits, so the upstream is not read meanwhile (backpressure, not
 * a growing buffer). `stalled` says whether the pause happened (a body of
 * `after` bytes or fewer never stalls).
 */
export class StallingStream extends Transform {
  stalled = false;
  private left: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    after: number,
    private readonly ms: number,
  ) {
    super();
    this.left = after;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.stalled || chunk.length <= this.left) {
      if (!this.stalled) this.left -= chunk.length;
      callback(null, chunk);
      return;
    }
    this.stalled = true;
    if (this.left > 0) this.push(chunk.subarray(0, this.left));
    const rest = chunk.subarray(this.left);
    this.left = 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      callback(null, rest);
    }, this.ms);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    callback(error);
  }
}
