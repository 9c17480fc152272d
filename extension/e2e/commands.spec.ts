import { chromium } from '@playwright/test';
import type { AdminStats } from '@downspin/protocol';
import type { ExtensionState } from '../src/shared/state.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config.js';
import { expect, median, test, timedFetch, timedSamples } from './support/fixtures.js';

test.describe('commands from the control API', () => {
  test.beforeEach(async ({ extension, downspin }) => {
    await extension.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
  });

  test('a downspin slows this browser and not a second one without the extension; the badge and popup follow', async ({ context, extension, downspin }) => {
    const popup = await extension.openPopup();
    const hash = await extension.consent(popup);
    await expect(popup.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    const page = await context.newPage();
    await page.goto(`${downspin.proxyUrl}/`);

    const other = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    try {
      const stranger = await (await other.newContext()).newPage();
      await stranger.goto(`${downspin.proxyUrl}/`);

      const applied = await downspin.api<{ applied: { acknowledged: boolean } }>('POST', `/admin/sessions/${hash}/downspin`, { latency_ms: 1500 });
      expect(applied.status).toBe(200);
      expect(applied.body.applied.acknowledged).toBe(true);

      const slow = await timedFetch(page, '/api/items');
      expect(slow.status).toBe(200);
      expect(slow.ms).toBeGreaterThanOrEqual(1450);
      const fast = await timedFetch(stranger, '/api/items');
      expect(fast.status).toBe(200);
      // 1.5 s were added to the other browser only; a busy machine still answers this one well under that (median of three).
      expect(median([fast.ms, ...(await timedSamples(stranger, '/api/items', 2))])).toBeLessThan(1000);
    } finally {
      await other.close();
    }

    await expect(popup.getByTestId('mode')).toHaveText('downspin (added latency)');
    await expect(popup.getByTestId('shaping')).toContainText('1500');
    await expect.poll(() => extension.badge()).toBe('SLOW');

    expect((await downspin.api('POST', `/admin/sessions/${hash}/upspin`)).status).toBe(200);
    await expect(popup.getByTestId('mode')).toHaveText('upspin (no added latency)');
    await expect.poll(() => extension.badge()).toBe('UP');
    expect(median(await timedSamples(page, '/api/items'))).toBeLessThan(1000);
  });

  test('a notify shows a toast in the page, as text', async ({ context, extension, downspin }) => {
    const popup = await extension.openPopup();
    const hash = await extension.consent(popup);
    // A notify reaches the clients connected when it is sent: wait for the extension's command channel.
    await expect(popup.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    const page = await context.newPage();
    await page.goto(`${downspin.proxyUrl}/`);
    // The app's own CSS cannot hide it.
    await page.addStyleTag({ content: 'downspin-overlay, div, span { display: none !important; color: transparent !important; }' });

    const sent = await downspin.api('POST', `/admin/sessions/${hash}/notify`, { message: 'Checkout is under test: <b>retry</b> in 1 min', type: 'warning' });
    expect(sent.status).toBe(202);
    const toast = page.locator('downspin-overlay .toast');
    await expect(toast).toBeVisible();
    await expect(toast.locator('.message')).toHaveText('Checkout is under test: <b>retry</b> in 1 min');
    await expect(toast).toHaveAttribute('data-level', 'warning');
    expect(await toast.locator('b').count()).toBe(0);
  });

  test('a terminate closes the channel and tells the user plainly', async ({ context, extension, downspin }) => {
    const popup = await extension.openPopup();
    const hash = await extension.consent(popup);
    await expect(popup.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    const page = await context.newPage();
    await page.goto(`${downspin.proxyUrl}/`);
    const connected = async (): Promise<number> => (await downspin.api<AdminStats>('GET', '/admin/stats')).body.channels.client.connected;
    await expect.poll(connected).toBe(1);

    expect((await downspin.api('POST', `/admin/sessions/${hash}/terminate`, { reason: 'The checkout test is over.' })).status).toBe(200);

    const notice = page.locator('downspin-overlay .notice');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('Your downspin session was ended.');
    await expect(notice.locator('.message')).toHaveText('The checkout test is over.');
    await expect(popup.getByTestId('terminated')).toContainText('The checkout test is over.');
    await expect(popup.getByTestId('connection')).toHaveAttribute('data-state', 'terminated');
    await expect.poll(() => extension.badge()).toBe('END');
    await expect.poll(connected).toBe(0);

    // It stays closed: the channel is gone and no retry is scheduled (the state the background
    // decided, mirrored to storage.session; channel.test.ts shows a terminated channel never
    // opens again), and the proxy refuses this session from now on.
    const state = await extension.background(async () => (await chrome.storage.session.get('state')).state as ExtensionState);
    expect(state).toMatchObject({ connection: 'terminated', retryAt: null });
    expect((await timedFetch(page, '/api/items')).status).toBe(403);

    // A page loaded afterwards shows the notice too.
    await page.reload();
    await expect(page.locator('downspin-overlay .notice .message')).toHaveText('The checkout test is over.');
    expect(await connected()).toBe(0);
  });
});
