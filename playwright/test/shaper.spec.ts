import type { Page } from '@playwright/test';
import { SESSION_ID_PATTERN } from '@downspin/protocol';
import { test as fixtureTest, expect, DownspinApiError, DownspinConnectionError } from '../src/index.js';
import { closedPort, sessionView } from './support/control.js';
import { median, timedFetch, timedSamples } from '@downspin/testing';
import { withDownspin } from '../../browser-support/with-downspin.js';

const test = withDownspin(fixtureTest);

/** An upper bound is judged by the median of three fetches (see timedSamples); a lower bound by one. */
async function unshapedMs(page: Page, path = '/api/items'): Promise<number> {
  return median(await timedSamples(page, path));
}

test.describe('the shaper fixture', () => {
  test('gives the browser context its own session and shapes only that one', async ({ page, shaper, browser, baseURL }) => {
    expect(shaper.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(shaper.sessionHash).toMatch(/^[0-9a-f]{12}$/);
    await page.goto('/');
    expect(await unshapedMs(page)).toBeLessThan(800);

    const applied = await shaper.downspin(1000);
    expect(applied).toMatchObject({ mode: 'downspin', shaping: expect.stringContaining('1000 ms') });
    expect(applied.appliedBy.length).toBeGreaterThan(0);
    // The call answered after the proxy acknowledged: the very next request is slow.
    expect((await timedFetch(page, '/api/items')).ms).toBeGreaterThanOrEqual(995);

    // A browser without the fixture's header is another session: not slowed.
    const other = await browser.newContext({ baseURL });
    const otherPage = await other.newPage();
    await otherPage.goto('/');
    expect(await unshapedMs(otherPage)).toBeLessThan(800);
    await other.close();

    // Requests of the page's own request context carry the session too.
    const started = Date.now();
    const res = await page.request.get('/api/items');
    expect(res.status()).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(995);
  });

  test('applies presets and profiles, answering once every proxy has them', async ({ page, shaper }) => {
    await page.goto('/');
    const preset = await shaper.apply('fast-3g');
    expect(preset).toMatchObject({ mode: 'profile', shaping: expect.stringContaining('563') });
    expect((await timedFetch(page, '/api/items')).ms).toBeGreaterThanOrEqual(560);

    await shaper.apply({ latency: { ms: 300 }, routes: ['/api/**'] });
    expect((await timedFetch(page, '/api/items')).ms).toBeGreaterThanOrEqual(298);
    expect(await unshapedMs(page, '/health')).toBeLessThan(290);

    await shaper.apply({ faults: { failFirst: 1, status: 502 } });
    expect(await timedFetch(page, '/api/items')).toMatchObject({ status: 502, refusal: 'injected_fault' });
    expect((await timedFetch(page, '/api/items')).status).toBe(200);
  });

  test('downspin, upspin and terminate switch modes', async ({ page, shaper }) => {
    await page.goto('/');
    expect((await shaper.downspin()).shaping).toContain('2000 ms');
    expect((await timedFetch(page, '/api/items')).ms).toBeGreaterThanOrEqual(1995);

    expect(await shaper.upspin()).toMatchObject({ mode: 'upspin' });
    expect(await unshapedMs(page)).toBeLessThan(1000);

    expect(await shaper.terminate('end of the scenario')).toMatchObject({ mode: 'terminated' });
    expect(await timedFetch(page, '/api/items')).toMatchObject({ status: 403, refusal: 'session_terminated' });
  });

  test('runs a timeline by the server clock', async ({ page, shaper }) => {
    await page.goto('/');
    const started = Date.now();
    await shaper.timeline([
      { atMs: 0, profile: { latency: { ms: 700 } } },
      { atMs: 2500, preset: 'none' },
    ]);
    expect((await timedFetch(page, '/api/items')).ms).toBeGreaterThanOrEqual(695);
    await page.waitForTimeout(Math.max(0, 2600 - (Date.now() - started)));
    expect(await unshapedMs(page)).toBeLessThan(600);
  });

  test('queues a notification for the session page', async ({ shaper }) => {
    const notification = await shaper.notify('Maintenance in 5 minutes', 'warning');
    expect(notification).toMatchObject({ message: 'Maintenance in 5 minutes', type: 'warning' });
    expect(notification.id).not.toBe('');
  });

  test('turns API errors into errors with the API code and message', async ({ shaper }) => {
    const bad = shaper.apply({ latency: { ms: -5 } });
    await expect(bad).rejects.toBeInstanceOf(DownspinApiError);
    await expect(bad).rejects.toThrow(/^invalid_body: .*latency\.ms/);
    // A string that is not a preset names a scenario; a preset's name in another case is still a preset, misspelt.
    await expect(shaper.apply('warp-speed')).rejects.toThrow(/^scenario_not_found: No scenario with that name\./);
    await expect(shaper.apply('Slow-3G')).rejects.toThrow(/^invalid_body: .*preset must be one of none, fast-3g/);
    await expect(shaper.timeline([])).rejects.toThrow(/^invalid_body: .*steps: /);
  });
});

test.describe('with a wrong API key', () => {
  test.use({ downspin: async ({ downspinServer }, use) => use({ controlUrl: downspinServer.controlUrl, apiKey: 'not-the-key' }) });

  test('fails the call with unauthorized', async ({ shaper }) => {
    const error = await shaper.apply('slow-3g').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownspinApiError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect((error as Error).message).toMatch(/^unauthorized: Missing or wrong API key/);
  });
});

test.describe('with a control API nobody listens on', () => {
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  test.use({ downspin: async ({}, use) => use({ controlUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'k' }) });

  test('names the URL and the socket error', async ({ shaper }) => {
    const call = shaper.upspin();
    await expect(call).rejects.toBeInstanceOf(DownspinConnectionError);
    await expect(call).rejects.toThrow(/^downspin: cannot reach the control API \(POST http:\/\/127\.0\.0\.1:\d+\/admin\/sessions\/.+\/upspin\): ECONNREFUSED/);
  });
});

test.describe('sessions are per test and cleaned up', () => {
  test.describe.configure({ mode: 'serial' });
  let earlier: string | undefined;

  test('a test that shapes its session', async ({ page, shaper }) => {
    earlier = shaper.sessionId;
    await shaper.apply('slow-3g');
    await page.goto('/', { waitUntil: 'commit' });
  });

  test('the next test has a new session, and the earlier one is back to none', async ({ shaper, downspinServer }) => {
    expect(earlier).toBeDefined();
    expect(shaper.sessionId).not.toBe(earlier);
    expect(shaper.sessionId).toMatch(SESSION_ID_PATTERN);
    const { session } = await sessionView(downspinServer, earlier!);
    expect(session).toMatchObject({ mode: 'none', shaping: 'no shaping' });
  });
});
