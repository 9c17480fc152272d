import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalCa } from '@downspin/proxy';

/** The app's two host names: never resolvable by the system, only by the proxy's --resolve. */
export const APP_HOST = 'app.downspin.test';
export const API_HOST = 'api.downspin.test';
/** A name the proxy is not told to intercept. */
export const UNLISTED_HOST = 'cdn.downspin.test';

/** One request as an origin received it. */
export interface OriginRequest {
  host: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A staging app made of two https origins on loopback, each with a
 * certificate from a CA of the test's own (unknown to the system and to the
 * browser: the proxy trusts it through --upstream-ca):
 * - the page at `https://app.downspin.test:<port>/`, which signs in at the
 *   API (a cookie) and then loads `/items` from it, showing what it got;
 * - a JSON API at `https://api.downspin.test:<port>/` with strict CORS:
 *   only the page's origin, credentials, `content-type` as the only header,
 *   and `/items` answers 401 without the cookie `/login` set.
 */
export interface TwoOriginApp {
  appOrigin: string;
  apiOrigin: string;
  /** `--resolve` entries mapping both names (and the unlisted one) to 127.0.0.1. */
  resolve: string[];
  /** The test CA's PEM file (what --upstream-ca points to). */
  caFile: string;
  /** Every request each origin received, preflights included. */
  requests: OriginRequest[];
  close(): Promise<void>;
}

const PAGE = (apiOrigin: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>two origins</title></head>
<body>
<h1>Items</h1>
<ul id="items"></ul>
<p id="status">loading</p>
<script>
(async () => {
  const status = document.getElementById('status');
  try {
    const login = await fetch('${apiOrigin}/login', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{"user":"qa"}' });
    if (!login.ok) throw new Error('login ' + login.status);
    const started = performance.now();
    const res = await fetch('${apiOrigin}/items', { credentials: 'include' });
    const ms = Math.round(performance.now() - started);
    if (!res.ok) throw new Error('items ' + res.status);
    const items = await res.json();
    for (const item of items) {
      const li = document.createElement('li');
      li.textContent = item.name;
      document.getElementById('items').append(li);
    }
    status.dataset.ms = String(ms);
    status.textContent = 'loaded ' + items.length + ' items in ' + ms + ' ms';
  } catch (error) {
    status.textContent = 'failed: ' + error.message;
  }
})();
</script>
</body></html>`;

export async function startTwoOriginApp(): Promise<TwoOriginApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'downspin-two-origins-'));
  const ca = await LocalCa.open(dir);
  const caFile = path.join(dir, 'upstream-ca.pem');
  await writeFile(caFile, ca.info.pem);
  const requests: OriginRequest[] = [];
  const sockets = new Set<Socket>();
  const servers: https.Server[] = [];
  const options: https.ServerOptions = {
    SNICallback: (name, callback) => {
      ca.contextFor(name).then((context) => callback(null, context), callback);
    },
  };
  const listen = async (server: https.Server): Promise<number> => {
    servers.push(server);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  };

  let apiOrigin = '';
  let appOrigin = '';
  const app = https.createServer(options, (req, res) => {
    requests.push({ host: APP_HOST, method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(PAGE(apiOrigin));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  const api = https.createServer(options, (req, res) => {
    requests.push({ host: API_HOST, method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    // Strict CORS: the page's origin only, with credentials; content-type is the one extra header.
    if (req.headers.origin === appOrigin) {
      res.setHeader('access-control-allow-origin', appOrigin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'origin');
    }
    if (req.method === 'OPTIONS') {
      if (req.headers.origin === appOrigin) {
        res.setHeader('access-control-allow-methods', 'GET, POST');
        res.setHeader('access-control-allow-headers', 'content-type');
      }
      res.writeHead(204).end();
      return;
    }
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/login') {
      req.resume();
      json(200, { ok: true }, { 'set-cookie': 'api_session=qa-cookie; Path=/; Secure; HttpOnly; SameSite=None' });
      return;
    }
    if (req.method === 'GET' && req.url === '/items') {
      if (!/(^|;\s*)api_session=qa-cookie(;|$)/.test(req.headers.cookie ?? '')) return json(401, { error: 'no session cookie' });
      return json(200, [{ id: 1, name: 'first' }, { id: 2, name: 'second' }]);
    }
    json(404, { error: 'not found' });
  });
  const appPort = await listen(app);
  const apiPort = await listen(api);
  appOrigin = `https://${APP_HOST}:${appPort}`;
  apiOrigin = `https://${API_HOST}:${apiPort}`;
  return {
    appOrigin,
    apiOrigin,
    resolve: [`${APP_HOST}:${appPort}:127.0.0.1`, `${API_HOST}:${apiPort}:127.0.0.1`, `${UNLISTED_HOST}:${appPort}:127.0.0.1`],
    caFile,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
