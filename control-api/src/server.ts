import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { answerClientErrors } from '@downspin/proxy';
import type { Hono } from 'hono';
import type { UpgradeHandler } from './ws/upgrade.js';

/** An app that serves WebSockets too (every `ControlApi` does). */
export interface WebSocketApp {
  handleUpgrade: UpgradeHandler;
  closeWebSockets(): void;
}

const servesWebSockets = (app: unknown): app is WebSocketApp =>
  typeof (app as Partial<WebSocketApp>).handleUpgrade === 'function' && typeof (app as Partial<WebSocketApp>).closeWebSockets === 'function';

/**
 * Routes a node server's WebSocket upgrades to the app (`/ws/client`,
 * `/ws/dashboard`; other paths are refused 404). `startControlServer` does
 * this itself; call it for a server of your own. Returns the detach function.
 *
 * @example const detach = attachWebSockets(app, server);
 */
export function attachWebSockets(app: WebSocketApp, server: Server): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => app.handleUpgrade(req, socket, head);
  server.on('upgrade', onUpgrade);
  return () => server.off('upgrade', onUpgrade);
}

export interface ControlServerOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Hono app, whatever its env and routes
  app: Hono<any, any, any>;
  /** 0 picks a free port. Default 8081. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface RunningControlServer {
  url: string;
  port: number;
  /** The node server; WebSocket upgrades are already routed to the app when it serves them. */
  server: Server;
  /** Stops listening and ends open connections and WebSockets. Does not close the app. */
  close(): Promise<void>;
}

/**
 * Serves a control API app over HTTP (@hono/node-server). When the app
 * serves WebSockets (a `ControlApi` does), upgrades are routed to it.
 *
 * @example const running = await startControlServer({ app, port: 8081 });
 */
export async function startControlServer(options: ControlServerOptions): Promise<RunningControlServer> {
  const host = options.host ?? '127.0.0.1';
  const server = serve({ fetch: options.app.fetch, port: options.port ?? 8081, hostname: host }) as Server;
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  // After start, socket-level errors (resets, bad framing) end that connection only.
  answerClientErrors(server);
  if (servesWebSockets(options.app)) attachWebSockets(options.app, server);
  else {
    // Nothing to upgrade to: answer instead of leaving the socket hanging.
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        // Upgraded sockets are no longer the HTTP server's to end, but they keep it from closing.
        if (servesWebSockets(options.app)) options.app.closeWebSockets();
      }),
  };
}
