import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { createFeed } from './feed.js';
import { ItemStore, itemRoutes } from './items.js';
import { probeRoutes } from './probes.js';
import { PUBLIC_DIR } from './public-dir.js';
import { createRouter } from './router.js';
import { loadStaticFiles, staticHandler } from './static.js';
import { transferRoutes } from './transfer.js';

export interface DemoAppOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: silent. */
  logger?: Logger;
}

export interface DemoApp {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open socket and WebSocket. */
  close(): Promise<void>;
}

/**
 * Starts the bundled demo app: pages with buttons (`/`, `/about.html`), a
 * JSON API (`/api/items`, `/api/slow`, `/api/status/:code`, `/api/upload`),
 * streamed downloads (`/download/:size`), a WebSocket feed (`/ws/feed`) and
 * `/health`. It is what `downspin start` puts behind the proxy when no
 * `--target` is given.
 *
 * @example
 * const app = await startDemoApp({ port: 3000 });
 * console.log(`demo app on ${app.url}`);
 * await app.close();
 */
export async function startDemoApp(options: DemoAppOptions = {}): Promise<DemoApp> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const files = await loadStaticFiles(PUBLIC_DIR);
  const route = createRouter(
    [...probeRoutes(Date.now()), ...itemRoutes(new ItemStore()), ...transferRoutes(logger)],
    staticHandler(files),
    logger,
  );
  const feed = createFeed(logger);

  const server = http.createServer({
    // Throttled uploads can take many minutes; only idle header reads are cut.
    requestTimeout: 0,
    // Longer than a proxy's idle keep-alive, so a reused upstream socket is not
    // closed under a request in flight (which the proxy would answer with a 502).
    keepAliveTimeout: 65_000,
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.on('error', (error) => logger.debug({ err: error }, 'request stream error'));
    res.on('error', (error) => logger.debug({ err: error }, 'response stream error'));
    route(req, res);
  });
  server.on('upgrade', feed.handleUpgrade);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    logger.debug({ code: error.code }, 'rejected a malformed request');
    if (socket.writable && error.code !== 'ECONNRESET') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else socket.destroy();
  });

  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  // Rejects on 'error' (e.g. EADDRINUSE) and leaves no listener behind.
  await once(server, 'listening');
  // Errors after listening (rare: EMFILE on accept) are logged, never thrown.
  server.on('error', (error) => logger.error({ err: error }, 'demo app server error'));
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'demo app listening');

  return {
    url,
    port,
    async close() {
      feed.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
