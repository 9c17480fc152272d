import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes the first `limit` bytes of a body, then ends as if the body were
 * over and sets `truncated`: the HTTP handler then ends the client
 * connection instead of the response (http-handler.ts), so the client sees
 * a body shorter than announced and a closed connection. Holds no bytes.
 */
export class TruncatingStream extends Transform {
  truncated = false;
  private left: number;

  constructor(limit: number) {
    super();
    this.left = limit;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.truncated) return callback();
    if (chunk.length <= this.left) {
      this.left -= chunk.length;
      callback(null, chunk);
      return;
    }
    this.truncated = true;
    if (this.left > 0) this.push(chunk.subarray(0, this.left));
    this.left = 0;
    this.push(null);
    callback();
  }
}
