import { test, expect } from '../support/test.js';
import { median } from '@downspin/testing';
import { feedNumbers } from '../support/page.js';

const LATENCY_MS = 400;
const ECHO = /^echo #\d+ · round trip (\d+) ms$/;
const TICK = /^tick #\d+ · lag (\d+) ms$/;

/** Connects the live feed, waits for `echoes` echoes, and reads round trips and lags off the page. */
async function measureFeed(page: import('@playwright/test').Page, echoes: number) {
  await page.getByTestId('feed-toggle').click();
  await expect(page.getByTestId('feed-card')).toHaveAttribute('data-state', 'open');
  const connected = Number(/^Connected in (\d+) ms$/.exec((await page.getByTestId('feed-status').textContent()) ?? '')?.[1]);
  await expect.poll(async () => (await feedNumbers(page, ECHO)).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(echoes);
  const result = { connected, rtt: median(await feedNumbers(page, ECHO)), lag: median(await feedNumbers(page, TICK)) };
  await page.getByTestId('feed-toggle').click();
  await expect(page.getByTestId('feed-card')).toHaveAttribute('data-state', 'closed');
  return result;
}

test('the live feed round trip grows by the latency, the lag by half (latency is a round trip)', async ({ page, shaper }) => {
  await page.goto('/');
  const before = await measureFeed(page, 3);
  expect(before.rtt).toBeLessThan(LATENCY_MS);

  await page.reload();
  await shaper.apply({ latency: { ms: LATENCY_MS } });
  const after = await measureFeed(page, 4);

  test.info().annotations.push({ type: 'measured', description: `before ${JSON.stringify(before)}, with ${LATENCY_MS} ms latency ${JSON.stringify(after)}` });
  // Latency is a round trip, as for a request: the handshake waits it once; a message waits half
  // of it each way, in order, so an echo gains the latency once and a one-way tick half of it.
  // The injected delay is a floor for each reading (the page rounds to 1 ms); subtracting the
  // unshaped reading would let a slow one on a busy machine make the delay look short.
  expect(after.connected).toBeGreaterThanOrEqual(LATENCY_MS);
  expect(after.rtt).toBeGreaterThanOrEqual(LATENCY_MS - 1);
  expect(after.rtt - before.rtt).toBeLessThan(LATENCY_MS + 600);
  expect(after.lag).toBeGreaterThanOrEqual(LATENCY_MS / 2 - 1);
  expect(after.lag - before.lag).toBeLessThan(LATENCY_MS / 2 + 400);
  await expect(page.getByTestId('feed-status')).toHaveText(/^Closed \(code 1000/);
});
