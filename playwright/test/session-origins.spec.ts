import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as fixtureTest, expect } from '../src/index.js';
import { withDownspin } from '../../browser-support/with-downspin.js';

/** A third-party JSON API with strict CORS: it allows only the proxy's origin and only `content-type`. */
interface ThirdParty {
  origin: string;
  /** Every request it received (preflights included), as it saw them. */
  seen: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function startThirdParty(allowOrigin: () => string): Promise<ThirdParty> {
  const seen: ThirdParty['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const cors = { 'access-control-allow-origin': allowOrigin(), 'access-control-allow-headers': 'content-type', vary: 'origin' };
    const asked = String(req.headers['access-control-request-headers'] ?? '');
    // Strict: a preflight asking for any other header, or a request carrying
    // a header it does not know, is refused without CORS headers.
    if (req.method === 'OPTIONS') {
      if (asked.split(',').some((name) => name.trim() !== '' && name.trim() !== 'content-type')) res.writeHead(403).end();
      else res.writeHead(204, cors).end();
      return;
    }
    if (req.headers['x-downspin-session'] !== undefined) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('unexpected x-downspin-session');
      return;
    }
    res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ third: 'party', path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // Another host than the proxy's 127.0.0.1: cookies are scoped by host, not port.
    origin: `http://localhost:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const base = withDownspin(fixtureTest).extend<{ thirdParty: ThirdParty }>({
  thirdParty: async ({ baseURL }, use) => {
    const thirdParty = await startThirdParty(() => new URL(baseURL!).origin);
    await use(thirdParty);
    await thirdParty.close();
  },
});

/** Opens a WebSocket from the page; resolves 'open' or 'closed <code>', and keeps the close code in window.__closeCode. */
function openSocket(url: string): Promise<string> {
  return new Promise((resolve) => {
    const w = window as unknown as { __closeCode?: number };
    w.__closeCode = undefined;
    const ws = new WebSocket(url);
    ws.onopen = () => resolve('open');
    ws.onclose = (event) => {
      w.__closeCode = event.code;
      resolve(`closed ${event.code}`);
    };
  });
}

const socketUrl = (pageUrl: string): string => `${new URL(pageUrl).origin.replace('http', 'ws')}/ws/feed`;

base.describe('the session goes to the proxy origin only', () => {
  base('a cross-origin API with strict CORS works and never sees the header or the cookie', async ({ page, shaper, thirdParty, baseURL }) => {
    expect(new URL(baseURL!).hostname).toBe('127.0.0.1');
    await page.goto('/');
    const answer = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, body: await res.text() };
    }, `${thirdParty.origin}/data`);
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ third: 'party', path: '/data' }) });
    // A JSON POST needs a preflight: it must not ask for the session header.
    const posted = await page.evaluate(async (url) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return res.status;
    }, `${thirdParty.origin}/post`);
    expect(posted).toBe(200);

    // The preflight reached the real server (nothing in the fixture answers
    // CORS for it) and asked for content-type only.
    const preflight = thirdParty.seen.find((r) => r.method === 'OPTIONS');
    expect(preflight?.headers['access-control-request-headers']).toBe('content-type');
    // A header the server does not allow is refused by the browser, as in production.
    const refused = await page.evaluate(async (url) => {
      try {
        await fetch(url, { headers: { 'x-custom': '1' } });
        return 'allowed';
      } catch {
        return 'blocked';
      }
    }, `${thirdParty.origin}/custom`);
    expect(refused).toBe('blocked');
    expect(thirdParty.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /data', 'OPTIONS /post', 'POST /post', 'OPTIONS /custom']);
    for (const request of thirdParty.seen) {
      expect(request.headers['x-downspin-session']).toBeUndefined();
      expect(request.headers.cookie ?? '').not.toContain(shaper.sessionId);
    }

    // A navigation to the other origin carries neither.
    await page.goto(`${thirdParty.origin}/page`);
    const navigation = thirdParty.seen.find((r) => r.path === '/page');
    expect(navigation?.method).toBe('GET');
    for (const request of thirdParty.seen) {
      expect(request.headers['x-downspin-session']).toBeUndefined();
      expect(request.headers.cookie ?? '').not.toContain(shaper.sessionId);
    }
  });

  base('navigations, fetches, page.request and WebSockets to the proxy carry the session', async ({ page, shaper }) => {
    await page.goto('/');
    expect(await page.evaluate(openSocket, socketUrl(page.url()))).toBe('open');

    await shaper.terminate('origin check');
    // The open WebSocket belongs to the session: terminate closes it with 4403.
    await expect.poll(() => page.evaluate(() => (window as unknown as { __closeCode?: number }).__closeCode)).toBe(4403);
    // A navigation is refused as this session, with the proxy's HTML page.
    const response = await page.goto('/');
    expect(response?.status()).toBe(403);
    await expect(page.locator('body')).toHaveAttribute('data-downspin-error', 'session_terminated');
    await expect(page).toHaveTitle(/^downspin:/);
    await expect(page.locator('[data-downspin-details]')).toContainText('Reason: origin check.');
    // fetch from the page and the context's request client too.
    expect(await page.evaluate(async () => (await fetch('/api/items')).status)).toBe(403);
    expect((await page.request.get('/api/items')).status()).toBe(403);
    // A new WebSocket handshake is refused as this session.
    expect(await page.evaluate(openSocket, socketUrl(page.url()))).toMatch(/^closed /);
  });
});

base.describe('sessionOrigins', () => {
  const withList = base.extend({
    downspin: async ({ downspinServer, thirdParty }, use) =>
      use({ controlUrl: downspinServer.controlUrl, apiKey: downspinServer.apiKey, sessionOrigins: [thirdParty.origin] }),
  });

  withList('an origin in the list gets the session as well', async ({ page, shaper, thirdParty }) => {
    await page.goto('/');
    await page.goto(`${thirdParty.origin}/listed`);
    const navigation = thirdParty.seen.find((r) => r.path === '/listed');
    expect(navigation?.headers.cookie).toBe(`downspin_sid=${shaper.sessionId}`);
  });
});
