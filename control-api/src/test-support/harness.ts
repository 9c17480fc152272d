import { MemoryBus, type Bus } from '@downspin/bus';
import type { SessionStore } from '@downspin/db';
import { createControlApi, type ControlApi, type ControlApiDeps } from '../app.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface Harness {
  app: ControlApi;
  bus: Bus;
  /** A request with the admin key; `body` objects are sent as JSON. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** A control API on `store` with its own in-process bus, for `app.request()` tests. */
export async function startHarness(store: SessionStore, options: Partial<ControlApiDeps> & { bus?: Bus } = {}): Promise<Harness> {
  const bus = options.bus ?? new MemoryBus();
  const app = await createControlApi({ ackTimeoutMs: 300, ...options, store, bus, adminKey: ADMIN_KEY });
  return {
    app,
    bus,
    async call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { 'x-api-key': ADMIN_KEY, ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      return app.request(path, init);
    },
    async close() {
      await app.close();
      await bus.close();
    },
  };
}
