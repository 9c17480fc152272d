import { once } from 'node:events';
import net from 'node:net';
import { eventually } from './eventually.js';

/**
 * A client connection that speaks raw bytes, for tests where the bug is at
 * the byte level (framing, pipelining, a status line inside a body). It
 * records everything received and whether and when the server closed.
 */
export class RawConnection {
  /** Everything received so far, as latin1 (one char per byte). */
  received = '';
  closed = false;
  /** performance.now() when the server closed the connection. */
  closedAt = 0;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.closedAt = performance.now();
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    const socket = net.connect(port, host);
    const connection = new RawConnection(socket);
    await once(socket, 'connect');
    return connection;
  }

  write(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Waits until the received bytes pass `check` (throws after timeoutMs). */
  async until(check: (received: string) => boolean, timeoutMs = 5000): Promise<string> {
    await eventually(() => {
      if (!check(this.received)) throw new Error(`not yet; received ${JSON.stringify(this.received.slice(0, 300))}`);
    }, timeoutMs);
    return this.received;
  }

  /** Waits for the server to close the connection (throws after timeoutMs). */
  async untilClosed(timeoutMs = 5000): Promise<string> {
    await eventually(() => {
      if (!this.closed) throw new Error(`still open; received ${JSON.stringify(this.received.slice(0, 300))}`);
    }, timeoutMs);
    return this.received;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * The status codes of every `HTTP/1.x NNN ` status line in a received byte
 * string, wherever it is: one inside a body counts too, which is what tests
 * looking for a misplaced status line want.
 */
export function statusLines(received: string): number[] {
  return [...received.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]));
}
