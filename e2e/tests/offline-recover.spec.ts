import { test, expect } from '../support/test.js';
import { recordTexts, shownLoadMs } from '../support/page.js';

// Long enough for the page's 4 attempts (backoff 250 + 500 + 1000 ms) to fail
// while offline, on a busy machine.
const OFFLINE_MS = 6000;

test('offline then back: the page shows the failure, then recovers', async ({ page, shaper }) => {
  await page.goto('/');
  await shownLoadMs(page);

  const started = Date.now();
  await shaper.timeline([
    { atMs: 0, preset: 'offline' },
    { atMs: OFFLINE_MS, preset: 'none' },
  ]);

  // The app's own request: retried three times, then the failure is shown.
  const statusTexts = await recordTexts(page, 'items-status');
  await page.getByTestId('load-items').click();
  await expect(page.getByTestId('items-card')).toHaveAttribute('data-state', 'error', { timeout: OFFLINE_MS });
  await expect(page.getByTestId('items-status')).toHaveText(/^Could not load items: network error \(.+\)$/);
  expect(await statusTexts()).toEqual([
    'Loading…',
    'Retrying (1/3)…',
    'Retrying (2/3)…',
    'Retrying (3/3)…',
    expect.stringMatching(/^Could not load items: network error \(.+\)$/),
  ]);
  await expect(page.getByTestId('items-spinner')).toBeHidden();
  expect(Date.now() - started).toBeLessThan(OFFLINE_MS);

  // A navigation fails as the browser would without a network.
  await expect(page.goto('/about.html')).rejects.toThrow(/net::ERR_(CONNECTION_RESET|EMPTY_RESPONSE|CONNECTION_CLOSED)/);

  // Once the timeline's next step is due, the same clicks work again.
  await page.waitForTimeout(Math.max(0, OFFLINE_MS + 200 - (Date.now() - started)));
  await page.goto('/');
  await shownLoadMs(page);
  await page.getByTestId('load-items').click();
  await expect(page.getByTestId('items-card')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('items-status')).toHaveText(/^Loaded \d+ items in \d+ ms$/);
});
