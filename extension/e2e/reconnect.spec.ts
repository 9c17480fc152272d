import { expect, test } from './support/fixtures.js';

test.describe('command channel', () => {
  test('survives a control API restart: reconnects within 5 s and takes commands again', async ({ context, extension, downspin }) => {
    test.setTimeout(120_000);
    await extension.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    const popup = await extension.openPopup();
    const hash = await extension.consent(popup);
    const connection = popup.getByTestId('connection');
    await expect(connection).toHaveAttribute('data-state', 'open');
    const page = await context.newPage();
    await page.goto(`${downspin.proxyUrl}/`);

    await downspin.stop();
    await expect(connection).toHaveAttribute('data-state', /waiting|connecting/);
    // Down until the backoff has grown to its cap: the fifth retry waits up to 3 s (250 ms doubled four times, capped).
    const retries = popup.getByTestId('diag-retries');
    await expect.poll(async () => Number(await retries.textContent()), { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    await downspin.restart();
    const backAt = Date.now();
    await expect(connection).toHaveAttribute('data-state', 'open', { timeout: 15_000 });
    const reconnectMs = Date.now() - backAt;
    test.info().annotations.push({ type: 'reconnect-ms', description: String(reconnectMs) });
    expect(reconnectMs).toBeLessThan(5000);
    await expect(popup.getByTestId('diag-reconnects')).toHaveText('1');

    // The same session, still working both ways.
    expect(await extension.badge()).toBe('ON');
    expect((await downspin.api('POST', `/admin/sessions/${hash}/notify`, { message: 'back again', type: 'info' })).status).toBe(202);
    await expect(page.locator('downspin-overlay .toast .message')).toHaveText('back again');
  });
});
