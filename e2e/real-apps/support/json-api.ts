import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import cors from 'cors';

/** One request as the API received it (before CORS answered it). */
export interface ApiRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** json-server, on an origin of its own, that only lets `allowedOrigin` in. */
export interface JsonApi {
  /** Its origin, e.g. http://127.0.0.1:40123 (a second origin to the page's). */
  url: string;
  /** Every request it received, preflights included, in order. */
  requests: ApiRequest[];
  close(): Promise<void>;
}

/** The part of json-server 0.17's module API used here (it ships no types). */
interface JsonServerModule {
  create(): RequestListener & { use(...handlers: unknown[]): void };
  router(db: Record<string, unknown[]>): unknown;
  defaults(options: { noCors?: boolean; logger?: boolean; noGzip?: boolean }): unknown[];
}

const jsonServer = createRequire(import.meta.url)('json-server') as JsonServerModule;

/** The API's only headers: a request with any other one fails its CORS preflight. */
export const API_ALLOWED_HEADERS = ['content-type'];

/**
 * Starts json-server (its REST API over an in-memory db: `/items`) with
 * strict CORS, as a third-party API is set up: only `allowedOrigin`, only
 * `API_ALLOWED_HEADERS`, no credentials. Its own permissive CORS is off
 * (`noCors`); the `cors` package does it with the strict options. The
 * request log is the test's view of what reached the API.
 */
export async function startJsonApi(allowedOrigin: string): Promise<JsonApi> {
  const requests: ApiRequest[] = [];
  const app = jsonServer.create();
  app.use((req: { method: string; url: string; headers: IncomingHttpHeaders }, _res: unknown, next: () => void) => {
    requests.push({ method: req.method, url: req.url, headers: { ...req.headers } });
    next();
  });
  app.use(cors({ origin: allowedOrigin, allowedHeaders: API_ALLOWED_HEADERS, methods: ['GET', 'POST'], maxAge: 0 }));
  app.use(...jsonServer.defaults({ noCors: true, logger: false, noGzip: true }));
  app.use(jsonServer.router({ items: [{ id: 1, name: 'first' }] }));
  const server = createServer(app);
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
