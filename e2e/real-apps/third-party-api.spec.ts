import type { Page } from '@playwright/test';
import { openEditor, recordSockets } from './support/editor.js';
import { expect, SESSION_ORIGINS, test } from './support/test.js';

const HEADER = 'x-downspin-session';

/** A cross-origin call from the page, as the app would make it; status 0 when the browser blocked it. */
function callApi(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const res = await fetch(url, {
          method: init.method ?? 'GET',
          headers: init.headers,
          ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        });
        return { status: res.status, body: (await res.json()) as unknown };
      } catch (error) {
        return { status: 0, body: String(error) };
      }
    },
    { url, init },
  );
}

test('the session header never reaches the third-party API; its strict CORS lets the editor’s origin in', async ({ browser, baseURL, page, api, shaper }) => {
  expect(SESSION_ORIGINS).not.toContain(api.url);

  // Control: a browser without the fixture, on the proxy's origin, can use the API (so a failure below is the fixture's).
  const plain = await browser.newContext();
  const plainPage = await plain.newPage();
  expect((await plainPage.goto(`${baseURL}/settings`))?.status()).toBe(200);
  expect(await callApi(plainPage, `${api.url}/items`)).toEqual({ status: 200, body: [{ id: 1, name: 'first' }] });
  await plain.close();
  api.requests.length = 0;
  const sockets = await recordSockets(page);
  await openEditor(page, sockets);

  // The API is strict: one request header it does not list fails the preflight, and the call with it.
  const refused = await callApi(page, `${api.url}/items`, { headers: { 'x-not-allowed': '1' } });
  expect(refused).toEqual({ status: 0, body: expect.stringMatching(/Failed to fetch/) });
  const asked = api.requests.filter((r) => r.method === 'OPTIONS').map((r) => (r.headers['access-control-request-headers'] ?? '').split(','));
  expect(asked.some((names) => names.includes('x-not-allowed')), `preflights asked for ${JSON.stringify(asked)}`).toBe(true);
  api.requests.length = 0;

  // The page's own calls: a read and a JSON write (which needs a preflight for its content type).
  const read = await callApi(page, `${api.url}/items`);
  const write = await callApi(page, `${api.url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: { name: 'second' } });
  expect.soft(read, 'GET /items from the editor page').toEqual({ status: 200, body: [{ id: 1, name: 'first' }] });
  expect.soft(write, 'POST /items from the editor page').toEqual({ status: 201, body: { id: 2, name: 'second' } });

  // The API's log: what reached the other origin. Not a header, not a header name in a preflight, not the id anywhere.
  const seen = api.requests.map((r) => `${r.method} ${r.url}`);
  expect(seen, 'the calls reached the API at all').toEqual(expect.arrayContaining(['OPTIONS /items']));
  const leaks = api.requests.filter(
    (r) => r.headers[HEADER] !== undefined || (r.headers['access-control-request-headers'] ?? '').includes(HEADER) || JSON.stringify(r.headers).includes(shaper.sessionId),
  );
  expect.soft(leaks.map((r) => ({ request: `${r.method} ${r.url}`, headers: r.headers })), 'requests at the API that carry the session').toEqual([]);
  expect.soft(seen, 'the read and the write were made (not blocked by a failed preflight)').toEqual(expect.arrayContaining(['GET /items', 'POST /items']));

  // The proxy's origin still gets the session: its requests are counted for this test's session.
  expect((await shaper.stats()).requests).toBeGreaterThan(0);
});
