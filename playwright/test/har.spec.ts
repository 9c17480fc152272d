import { test as fixtureTest, expect } from '../src/index.js';
import { withDownspin } from '../../browser-support/with-downspin.js';

const test = withDownspin(fixtureTest);

test('har() holds the page’s requests, with the delay downspin injected as blocked time and its shaping in each comment', async ({ page, shaper }) => {
  await page.goto('/');
  const applied = await shaper.apply({ latency: { ms: 300 } });
  await page.getByTestId('load-items').click();
  await expect(page.getByTestId('items-card')).toHaveAttribute('data-state', 'done');

  const har = await shaper.har();
  expect(har.log.version).toBe('1.2');
  const urls = har.log.entries.map((entry) => new URL(entry.request.url).pathname);
  expect(urls).toEqual(expect.arrayContaining(['/', '/app.js', '/api/items']));
  const before = har.log.entries.find((entry) => new URL(entry.request.url).pathname === '/')!;
  const items = har.log.entries.find((entry) => new URL(entry.request.url).pathname === '/api/items')!;
  expect(before.timings.blocked).toBe(0);
  expect(before.comment).toBe('downspin v0: no shaping');
  expect(items.timings.blocked).toBe(300);
  expect(items.comment).toBe(`downspin v${applied.version}: latency 300 ms`);
  expect(items.response.status).toBe(200);
  // The entry's time is what the proxy measured, of which the injected 300 ms.
  expect(items.time).toBeGreaterThanOrEqual(300);
  expect(har.log.comment).toContain(`v${applied.version} `);
});
