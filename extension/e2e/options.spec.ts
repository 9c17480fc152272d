import { expect, test } from './support/fixtures.js';

test.describe('options page', () => {
  test('refuses an origin that is not one, names the line, and keeps the saved settings', async ({ context, extension, downspin }) => {
    await extension.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extension.id}/options.html`);
    await expect(page.getByTestId('proxy-origins')).toHaveValue(downspin.proxyUrl);
    await page.getByTestId('proxy-origins').fill(`${downspin.proxyUrl}\nhttp://localhost:8080/app`);
    await page.getByTestId('control-url').fill('ftp://localhost:8081');
    await page.getByTestId('save').click();
    await expect(page.getByTestId('errors')).toContainText('Proxy origins (line 2): "http://localhost:8080/app" must be an origin only');
    await expect(page.getByTestId('errors')).toContainText('Control API URL: "ftp://localhost:8081" must start with http:// or https://');
    const stored = await extension.background(async () => (await chrome.storage.local.get('settings')).settings as { proxyOrigins: string[] });
    expect(stored.proxyOrigins).toEqual([downspin.proxyUrl]);
  });

  test('takes several proxy origins; the header goes to each of them', async ({ context, extension, downspin, recorder }) => {
    await extension.configure({ proxyOrigins: [downspin.proxyUrl, `${recorder.url}/`], controlUrl: `${downspin.controlUrl}/` });
    const popup = await extension.openPopup();
    await expect(popup.getByTestId('proxy-origins')).toHaveText(`${downspin.proxyUrl}, ${recorder.url}`);
    await extension.consent(popup);
    await expect(popup.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    const rules = await extension.background(() => chrome.declarativeNetRequest.getSessionRules());
    expect(rules.map((rule) => rule.condition.urlFilter).sort()).toEqual(
      [downspin.proxyUrl, recorder.url, downspin.proxyUrl.replace('http', 'ws'), recorder.url.replace('http', 'ws')].map((origin) => `|${origin}/`).sort(),
    );
    const page = await context.newPage();
    await page.goto(`${recorder.url}/`);
    await expect.poll(() => recorder.requests.find((request) => request.url === '/')?.headers['x-downspin-session']).toBe(await extension.sessionId());
  });
});
