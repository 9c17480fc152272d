import type { ProxiedRequest } from './connection.js';

/** Bytes a body must deliver per idle window while the proxy reads it, to count as progress. */
export const MIN_PROGRESS_BYTES = 1024;

/**
 * Closes connections whose request body stalls. Node's requestTimeout would
 * bound the whole request, which cuts long paced uploads and requests held
 * by injected latency; this bounds only the time a body makes no progress
 * while the proxy is ready to read it: the request stream flows (nothing
 * paused it: not the pacer, not upstream backpressure, not an injected
 * delay that has not forwarded it yet) and holds nothing unread. "Progress"
 * is at least MIN_PROGRESS_BYTES per window, so a body trickled a byte at a
 * time is cut as well as one that stops.
 *
 * One timer for all requests sweeps every quarter window, so a stalled body
 * is closed between `idleMs` and 1.25 × `idleMs` after its last progress.
 * Destroying the client socket aborts the upstream request (http-proxy ends
 * it when the response closes unfinished), which releases its connection.
 */
export class BodyWatchdog {
  private readonly reading = new Set<ProxiedRequest>();
  private readonly timer: NodeJS.Timeout;
  /** Connections closed for a stalled body. */
  closed = 0;

  constructor(private readonly idleMs: number) {
    this.timer = setInterval(() => this.sweep(), Math.max(10, Math.floor(idleMs / 4)));
    this.timer.unref();
  }

  /** Watches a request whose body has not arrived yet (call it once, when the request arrives). */
  watch(req: ProxiedRequest): void {
    const length = req.headers['content-length'];
    if (req.complete || ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined)) return;
    req.progressBytes = req.socket.bytesRead;
    req.progressAt = performance.now();
    this.reading.add(req);
  }

  private sweep(): void {
    const now = performance.now();
    for (const req of this.reading) {
      const socket = req.socket;
      if (req.complete || req.destroyed || socket.destroyed) {
        this.reading.delete(req);
        continue;
      }
      const read = socket.bytesRead;
      const waiting = req.readableFlowing === true && req.readableLength === 0 && !socket.isPaused();
      if (!waiting || read - req.progressBytes >= MIN_PROGRESS_BYTES) {
        req.progressBytes = read;
        req.progressAt = now;
      } else if (now - req.progressAt >= this.idleMs) {
        this.reading.delete(req);
        this.closed++;
        socket.destroy();
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.reading.clear();
  }
}
