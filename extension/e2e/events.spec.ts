import type { AdminStats } from '@downspin/protocol';
import { expect, test } from './support/fixtures.js';

test.describe('client event capture', () => {
  test('sends page events only after consent and the capture switch, in batches', async ({ context, extension, downspin }) => {
    await extension.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    const accepted = async (): Promise<number> => (await downspin.api<AdminStats>('GET', '/admin/stats')).body.clientEvents.accepted;
    const popup = await extension.openPopup();
    await extension.consent(popup);
    await expect(popup.getByTestId('capture')).not.toBeChecked();

    const page = await context.newPage();
    const start = await accepted();
    await page.goto(`${downspin.proxyUrl}/`);
    await page.getByTestId('load-items').click();
    // Capture is off: the page records nothing. Whatever a page did send now would reach the
    // background before the next page's events and be dropped and counted there (eventsDropped,
    // asserted 0 at the end), so no wait is needed to see that nothing was sent.
    expect(await accepted()).toBe(start);
    await expect(popup.getByTestId('diag-eventsSent')).toHaveText('0');

    // click, not check(): the switch shows the background's state, which answers a moment later.
    await popup.getByTestId('capture').click();
    await expect(popup.getByTestId('capture')).toBeChecked();
    await page.reload();
    await page.getByTestId('load-items').click();
    await page.getByTestId('item-name').fill('private note');
    await page.getByTestId('nav-about').click();
    await page.waitForURL('**/about.html');
    // page_view, timing, clicks, unload of the first page; page_view and timing of the second.
    await expect.poll(accepted, { timeout: 10_000 }).toBeGreaterThanOrEqual(start + 6);
    await expect(popup.getByTestId('diag-eventsSent')).not.toHaveText('0');
    await expect(popup.getByTestId('diag-eventsDropped')).toHaveText('0');
    // Every event the control API accepted is one the extension sent after the switch.
    const count = async (key: string): Promise<number> => Number(await popup.getByTestId(`diag-${key}`).textContent());
    const sent = async (): Promise<number> => (await count('eventsSent')) + (await count('eventsPosted'));
    await expect.poll(async () => (await accepted()) - start - (await sent()), { timeout: 10_000 }).toBe(0);
  });
});
