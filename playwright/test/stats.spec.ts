import type { Request } from '@playwright/test';
import { test as fixtureTest, expect } from '../src/index.js';
import { withDownspin } from '../../browser-support/with-downspin.js';

const test = withDownspin(fixtureTest);

test('stats() right after page.goto already counts the page load', async ({ page, shaper, browser, baseURL }) => {
  const answered: Request[] = [];
  page.on('requestfinished', (request) => answered.push(request));
  // Traffic of another browser (another session) must not show in ours.
  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  await otherPage.goto('/');
  await otherPage.goto('/about.html');

  await page.goto('/');
  // stats() covers what was answered when it was called; a request the page
  // starts after its load event may finish while stats() reads the API.
  const answeredBefore = answered.length;
  const stats = await shaper.stats();
  // document, app.js, style.css at least; the proxy may also count a favicon the browser fetched on its own.
  expect(answeredBefore).toBeGreaterThanOrEqual(3);
  expect(stats.requests).toBeGreaterThanOrEqual(answeredBefore);
  expect(stats.requests).toBeLessThanOrEqual(answered.length + 2);
  expect(stats.bytesOut).toBeGreaterThan(2000);
  expect(stats.bytesIn).toBeGreaterThan(0);
  expect(stats).toMatchObject({ mode: 'none', violations: 0 });
  expect(stats.firstSeen).not.toBeNull();
  await other.close();
});

test('stats() follows the requests a click makes', async ({ page, shaper }) => {
  await page.goto('/');
  const before = await shaper.stats();
  await page.getByTestId('load-items').click();
  await expect(page.getByTestId('items-card')).toHaveAttribute('data-state', 'done');
  const after = await shaper.stats();
  // The API call; the browser may also fetch the favicon on its own, unseen by the page.
  expect(after.requests).toBeGreaterThanOrEqual(before.requests + 1);
  expect(after.requests).toBeLessThanOrEqual(before.requests + 2);
  expect(after.bytesOut).toBeGreaterThan(before.bytesOut);
});

test('stats() of a test that sent nothing yet is all zero', async ({ shaper }) => {
  expect(await shaper.stats()).toMatchObject({ requests: 0, bytesIn: 0, bytesOut: 0, mode: 'none', firstSeen: null });
});

test.describe('when the traffic never went through the proxy', () => {
  // Counting the app's own origin as "the proxy": what the browser got there never reaches the API.
  test.use({
    downspin: async ({ downspinServer }, use) =>
      use({ controlUrl: downspinServer.controlUrl, apiKey: downspinServer.apiKey, proxyUrl: downspinServer.targetUrl }),
  });

  test('stats() gives up at its deadline and says what is missing', async ({ page, shaper, downspinServer }) => {
    await page.goto(downspinServer.targetUrl);
    const started = Date.now();
    const error: unknown = await shaper.stats({ timeoutMs: 1500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^downspin: stats\(\) waited 1500 ms, but the control API counts 0 requests \(0 bytes out\) for session [0-9a-f]{12} while this test's browser got [3-9] answers/,
    );
  });
});
