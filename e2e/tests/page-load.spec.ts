import { test, expect } from '../support/test.js';
import { shownLoadMs } from '../support/page.js';

// slow-3g as documented (README, presets): 2,000 ms latency, 400 kbit/s down.
const SLOW_3G = { latencyMs: 2000, downKbps: 400 };

test('the demo page takes about two slow-3g round trips longer to load than unshaped', async ({ page, shaper }) => {
  // Both loads as a first visit: nothing answered from the browser's cache.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.goto('/');
  const unshapedMs = await shownLoadMs(page);
  expect(unshapedMs).toBeLessThan(2000);

  await shaper.apply('slow-3g');
  const bodies: Promise<{ document: boolean; bytes: number }>[] = [];
  page.on('requestfinished', (request) =>
    bodies.push(request.sizes().then((sizes) => ({ document: request.resourceType() === 'document', bytes: sizes.responseBodySize }))),
  );
  const started = Date.now();
  await page.goto('/', { timeout: 30_000 });
  const shapedMs = await shownLoadMs(page);
  const answered = await Promise.all(bodies);
  const sum = (list: typeof answered) => list.reduce((total, { bytes }) => total + bytes, 0);
  const transferMs = (bytes: number) => (bytes * 8) / SLOW_3G.downKbps;

  // The document, then its stylesheet and script side by side: two latencies,
  // plus the body bytes through the session's one 400 kbit/s link. The parser
  // asks for the stylesheet and script while the document is still arriving,
  // so its own transfer may overlap theirs.
  const subresourceBytes = sum(answered.filter((a) => !a.document));
  const floorMs = 2 * SLOW_3G.latencyMs + transferMs(subresourceBytes);
  const ceilingMs = 2 * SLOW_3G.latencyMs + transferMs(sum(answered));
  test.info().annotations.push({
    type: 'measured',
    description: `unshaped ${unshapedMs} ms, slow-3g ${shapedMs} ms, expected ${Math.round(floorMs)}–${Math.round(ceilingMs)} ms (${sum(answered)} body bytes)`,
  });
  expect(subresourceBytes).toBeGreaterThan(5000);
  expect(shapedMs).toBeGreaterThanOrEqual(floorMs - 20);
  expect(shapedMs - unshapedMs).toBeLessThan(ceilingMs + 3000);
  // What the page reports is what the test waited.
  expect(Date.now() - started).toBeGreaterThanOrEqual(shapedMs - 50);
  await expect(page.getByTestId('page-load-status')).toHaveText(/^Page loaded in \d{4,5} ms$/);
});

test('loading items under slow-3g shows the spinner for the whole round trip, then the items', async ({ page, shaper }) => {
  await page.goto('/');
  await shaper.apply('slow-3g');
  const started = Date.now();
  await page.getByTestId('load-items').click();
  await expect(page.getByTestId('items-spinner')).toBeVisible();
  await expect(page.getByTestId('items-status')).toHaveText('Loading…');
  await expect(page.getByTestId('items-card')).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_3G.latencyMs);
  await expect(page.getByTestId('items-spinner')).toBeHidden();
  const status = await page.getByTestId('items-status').textContent();
  const shownMs = Number(/^Loaded \d+ items in (\d+) ms$/.exec(status ?? '')?.[1]);
  expect(shownMs).toBeGreaterThanOrEqual(SLOW_3G.latencyMs);
  expect(shownMs).toBeLessThan(SLOW_3G.latencyMs + 2500);
  expect(await page.getByTestId('item').count()).toBeGreaterThanOrEqual(3);
});
