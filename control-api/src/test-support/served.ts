import type { Bus } from '@downspin/bus';
import type { SessionStore } from '@downspin/db';
import { createControlApi, type ControlApi, type ControlApiDeps } from '../app.js';
import { startControlServer, type RunningControlServer } from '../server.js';
import { ADMIN_KEY } from './harness.js';

export interface ServedApi {
  app: ControlApi;
  server: RunningControlServer;
  url: string;
  /** ws://host:port */
  wsUrl: string;
  /** A request over the socket with the admin key; objects are sent as JSON. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** A control API on a real socket (port 0), for WebSocket tests. Closing it leaves the store and bus open. */
export async function serveApi(store: SessionStore, bus: Bus, options: Partial<ControlApiDeps> = {}): Promise<ServedApi> {
  const app = await createControlApi({ ackTimeoutMs: 300, processMetrics: false, ...options, store, bus, adminKey: ADMIN_KEY });
  const server = await startControlServer({ app, port: 0 });
  return {
    app,
    server,
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { 'x-api-key': ADMIN_KEY, ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      return fetch(`${server.url}${path}`, init);
    },
    async close() {
      await server.close();
      await app.close();
    },
  };
}
