import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';

export const FEED_PATH = '/ws/feed';
export const FEED_INTERVAL_MS = 500;
const MAX_MESSAGE_BYTES = 64 * 1024;
/** A client this far behind (throttled hard, or not reading) misses ticks and echoes instead of queueing them. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface Feed {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly clients: Set<WebSocket>;
  close(): void;
}

/**
 * The live feed on `/ws/feed`: sends `{ seq, t }` (t = server epoch ms) right
 * away and then every 500 ms, and echoes every message back unchanged, so a
 * page can measure both one-way lag and round trips.
 */
export function createFeed(logger: Logger): Feed {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();
  wss.on('error', (error) => logger.warn({ err: error }, 'feed server error'));

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    let seq = 0;
    const tick = (): void => {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
      ws.send(JSON.stringify({ seq: ++seq, t: Date.now() }));
    };
    const timer = setInterval(tick, FEED_INTERVAL_MS);
    tick();
    ws.on('message', (data, isBinary) => {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount <= MAX_BUFFERED_BYTES) ws.send(data, { binary: isBinary });
    });
    ws.on('error', (error) => logger.debug({ err: error }, 'feed client error'));
    ws.on('close', () => {
      clearInterval(timer);
      clients.delete(ws);
    });
  });

  return {
    clients,
    handleUpgrade(req, socket, head) {
      socket.on('error', (error) => logger.debug({ err: error }, 'upgrade socket error'));
      const path = (req.url ?? '/').split('?')[0];
      if (path !== FEED_PATH) {
        const body = JSON.stringify({ error: { code: 'not_found', message: `WebSockets are served on ${FEED_PATH} only.` } });
        socket.end(
          `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            `Connection: close\r\n\r\n${body}`,
        );
        return;
      }
      // ws answers malformed handshakes (bad version, key) with 400 itself.
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      for (const ws of clients) ws.terminate();
      wss.close();
    },
  };
}
