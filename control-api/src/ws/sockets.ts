import type WebSocket from 'ws';

export interface SocketSetOptions {
  /** A ping goes out this often; a socket that answered none since the last one is terminated. */
  pingIntervalMs: number;
  /** A socket with more than this many bytes waiting to be sent is too slow: it is terminated. */
  maxBufferedBytes: number;
}

export interface SocketSetStats {
  connected: number;
  /** Terminated because their send buffer was full. */
  slowConsumers: number;
  /** Terminated because they answered no ping. */
  dead: number;
}

/**
 * The open sockets of one channel, with what every channel needs: a
 * keepalive (ping every `pingIntervalMs`, terminate what did not answer the
 * previous one) and sends that never buffer without bound (a socket that
 * falls `maxBufferedBytes` behind is dropped, not waited for).
 */
export class SocketSet {
  private readonly alive = new Map<WebSocket, boolean>();
  private readonly timer: NodeJS.Timeout;
  private slow = 0;
  private dead = 0;

  constructor(private readonly options: SocketSetOptions) {
    this.timer = setInterval(() => this.beat(), options.pingIntervalMs);
    this.timer.unref();
  }

  add(ws: WebSocket): void {
    this.alive.set(ws, true);
    const markAlive = (): void => {
      if (this.alive.has(ws)) this.alive.set(ws, true);
    };
    ws.on('pong', markAlive);
    ws.on('message', markAlive);
    ws.once('close', () => this.alive.delete(ws));
  }

  /** Some sign of life that is not a pong (e.g. a `keepalive` message). */
  touch(ws: WebSocket): void {
    if (this.alive.has(ws)) this.alive.set(ws, true);
  }

  get size(): number {
    return this.alive.size;
  }

  sockets(): IterableIterator<WebSocket> {
    return this.alive.keys();
  }

  /**
   * Sends `data` unless the socket is closing or too far behind (then it is
   * terminated). Returns whether the data was queued.
   */
  send(ws: WebSocket, data: string): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount + Buffer.byteLength(data) > this.options.maxBufferedBytes) {
      this.slow++;
      ws.terminate();
      return false;
    }
    ws.send(data);
    return true;
  }

  /** Sends to every socket that `filter` accepts; returns how many got it. */
  broadcast(data: string, filter: (ws: WebSocket) => boolean = () => true): number {
    let sent = 0;
    for (const ws of this.alive.keys()) if (filter(ws) && this.send(ws, data)) sent++;
    return sent;
  }

  stats(): SocketSetStats {
    return { connected: this.alive.size, slowConsumers: this.slow, dead: this.dead };
  }

  /** Closes every socket (`code`, e.g. 1001 going away) and stops the keepalive; ends them for good after a grace period. */
  close(code = 1001, reason = 'server shutting down'): void {
    clearInterval(this.timer);
    for (const ws of this.alive.keys()) {
      ws.close(code, reason);
      // A peer that never answers the close frame is cut off.
      setTimeout(() => ws.terminate(), 1000).unref();
    }
  }

  private beat(): void {
    for (const [ws, alive] of this.alive) {
      if (!alive) {
        this.dead++;
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}
