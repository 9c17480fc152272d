import { test as base, expect, trustDownspinCa } from '@downspin/playwright';
import { newSessionId, sessionHash } from '@downspin/protocol';
import type { Page } from '@playwright/test';
import { forwardWorkerFixtures, hostName, sessionEndpoints, sessionRows, type ForwardWorkers } from './support/forward.js';
import { API_HOST, APP_HOST, UNLISTED_HOST } from './support/two-origins.js';

/** The latency the test puts on the API host only (a route with a host). */
const API_LATENCY_MS = 700;

/**
 * Issue 13, "Done when" (fixture half): an app of two https origins, each
 * with a certificate of its own CA, reached in Chromium at their real URLs
 * with the proxy as the browser's proxy (the fixture's forward mode). No
 * header and no change to the app: the session is the proxy user name.
 */
const test = base.extend<Record<never, never>, ForwardWorkers>({
  ...forwardWorkerFixtures({ requireProxyAuth: true }),
  // Chromium trusts the proxy's CA by its SPKI hash, for this browser only (no system store, no ignoreHTTPSErrors).
  launchOptions: [
    async ({ launchOptions, forward }, use) => use({ ...launchOptions, args: [...(launchOptions.args ?? []), ...trustDownspinCa(forward.caSpki)] }),
    { scope: 'worker' },
  ],
  baseURL: async ({ twoOrigins }, use) => use(twoOrigins.appOrigin),
  downspin: async ({ forward, twoOrigins }, use) =>
    use({ controlUrl: forward.server.controlUrl, apiKey: forward.server.adminKey, proxyUrl: forward.server.proxyUrl, forward: true, sessionOrigins: [twoOrigins.apiOrigin] }),
});

/** Loads the app's page and waits for its API call; resolves with the ms the page measured for GET /items. */
async function loadItems(page: Page): Promise<number> {
  await page.goto('/');
  const status = page.locator('#status');
  await expect(status).toHaveText(/^loaded 2 items in \d+ ms$/, { timeout: 20_000 });
  await expect(page.locator('#items li')).toHaveText(['first', 'second']);
  return Number(await status.getAttribute('data-ms'));
}

test('the API origin is shaped for this session only; CORS and the cookie keep working; both hosts are counted', async ({ page, shaper, browser, forward, twoOrigins }) => {
  test.setTimeout(120_000);
  await shaper.apply({ latency: { ms: API_LATENCY_MS }, routes: [`${API_HOST}/**`] });

  // The page logs in at the API (a preflighted JSON POST that sets a cookie), then reads /items with that cookie.
  const itemsMs = await loadItems(page);
  // A generous floor: the page's own timing of the shaped call.
  expect(itemsMs).toBeGreaterThanOrEqual(API_LATENCY_MS - 50);
  // The origins saw their real names, the cookie, and no downspin header or credentials.
  const atApi = twoOrigins.requests.filter((r) => r.host === API_HOST);
  expect(atApi.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['OPTIONS /login', 'POST /login', 'GET /items']));
  expect(atApi.find((r) => r.url === '/items')!.headers.cookie).toContain('api_session=qa-cookie');
  for (const r of twoOrigins.requests) {
    expect(r.headers['proxy-authorization']).toBeUndefined();
    expect(JSON.stringify(r.headers)).not.toContain(shaper.sessionId);
  }

  // What the proxy decided, from the session's telemetry: the API host's requests got the latency, the page's host none.
  await expect
    .poll(async () => {
      const rows = await sessionRows(forward.server, shaper.sessionHash);
      return [...new Set(rows.map((row) => `${hostName(row.host)} ${row.method} ${row.path} ${row.injectedMs}`))].sort();
    }, { timeout: 20_000 })
    .toEqual(
      expect.arrayContaining([
        `${APP_HOST} GET / 0`,
        `${API_HOST} OPTIONS /login ${API_LATENCY_MS}`,
        `${API_HOST} POST /login ${API_LATENCY_MS}`,
        `${API_HOST} GET /items ${API_LATENCY_MS}`,
      ]),
    );
  // Analytics group by host and route: both hosts of the one session.
  await expect.poll(async () => new Set((await sessionEndpoints(forward.server, shaper.sessionHash)).map((e) => hostName(e.host))), { timeout: 20_000 }).toEqual(new Set([APP_HOST, API_HOST]));
  // The session's counters include what the browser got answered by both origins.
  expect((await shaper.stats()).requests).toBeGreaterThanOrEqual(3);

  // A second browser context on the same proxy, another session: the same page, nothing injected.
  const otherId = newSessionId();
  const other = await browser.newContext({ baseURL: twoOrigins.appOrigin, proxy: { server: forward.server.proxyUrl, username: otherId, password: 'x' } });
  await loadItems(await other.newPage());
  await other.close();
  const otherHash = await sessionHash(otherId);
  await expect
    .poll(async () => (await sessionRows(forward.server, otherHash)).filter((row) => row.path === '/items').map((row) => row.injectedMs), { timeout: 20_000 })
    .toEqual([0]);
});

test('a host nobody listed is refused: a 403 page over http, no tunnel over https, and it never reaches the origin', async ({ page, twoOrigins }) => {
  const port = new URL(twoOrigins.appOrigin).port;
  const before = twoOrigins.requests.length;
  const refused = await page.goto(`http://${UNLISTED_HOST}:${port}/`);
  expect(refused?.status()).toBe(403);
  await expect(page.locator('body')).toContainText("not in the proxy's --intercept list");
  await expect(page.goto(`https://${UNLISTED_HOST}:${port}/`)).rejects.toThrow(/ERR_TUNNEL_CONNECTION_FAILED/);
  expect(twoOrigins.requests.slice(before)).toEqual([]);
});
