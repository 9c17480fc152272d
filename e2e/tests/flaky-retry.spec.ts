import { test, expect } from '../support/test.js';
import { timedFetch } from '@downspin/testing';
import { recordTexts } from '../support/page.js';

test('two 503s from the API: the page retries, says so, and loads the items', async ({ page, shaper }) => {
  await page.goto('/');
  // Deterministic flakiness: the next two API requests fail with 503, then they pass.
  await shaper.apply({ faults: { failFirst: 2, status: 503 }, routes: ['/api/**'] });
  const statuses: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/items') statuses.push(response.status());
  });

  const statusTexts = await recordTexts(page, 'items-status');

  await page.getByTestId('load-items').click();
  await expect(page.getByTestId('items-card')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('items-status')).toHaveText(/^Loaded \d+ items in \d+ ms after 2 retries$/);
  expect(await statusTexts()).toEqual(['Loading…', 'Retrying (1/3)…', 'Retrying (2/3)…', expect.stringMatching(/^Loaded \d+ items in \d+ ms after 2 retries$/)]);
  expect(statuses).toEqual([503, 503, 200]);
});

test('a seeded flaky profile answers 503 to the same requests again', async ({ page, shaper }) => {
  // The flaky preset's figures with a seed: the same draws on every run.
  const flaky = {
    latency: { ms: 200, jitterMs: 150 },
    faults: { errorRate: 0.2, status: 503, resetRate: 0.02 },
    routes: ['/api/**'],
    seed: 7,
  };
  await page.goto('/');
  const run = async () => {
    await shaper.apply(flaky); // re-applying starts the seeded draws again
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await timedFetch(page, '/api/items')).status);
    return statuses;
  };
  const first = await run();
  expect(first.filter((status) => status === 503).length).toBeGreaterThan(0);
  expect(first.filter((status) => status === 200).length).toBeGreaterThan(0);
  expect(await run()).toEqual(first);
});
