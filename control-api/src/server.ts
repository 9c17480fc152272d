import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

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
  /** The node server: WebSocket endpoints attach to its `upgrade` event. */
  server: Server;
  /** Stops listening and ends open connections. Does not close the app. */
  close(): Promise<void>;
}

/**
 * Serves a control API app over HTTP (@hono/node-server).
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
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && error.code !== 'ECONNRESET') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else socket.destroy();
  });
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
      }),
  };
}
