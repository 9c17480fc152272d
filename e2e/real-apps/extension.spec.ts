import { createServer } from 'node:net';
import { chromium, type BrowserContext } from '@playwright/test';
import type { SessionView } from '@downspin/protocol';
import { startDownspin, type RunningDownspin } from '@downspin/testing';
import { builtChromeExtension } from '../../browser-support/built-extension.js';
import { deployButton } from './support/editor.js';
import { expect, START_TIMEOUT_MS, test as realApps } from './support/test.js';

/** `downspin start`'s default ports, which the extension's default options point at. */
const PROXY_PORT = 8080;
const CONTROL_PORT = 8081;

/** Throws, naming the port, when something else listens there (this test needs the defaults). */
function assertFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} is taken (${error.code}): this test runs downspin start on its default ports ${PROXY_PORT}/${CONTROL_PORT}`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

interface Fixtures {
  /** `downspin start --port 8080 --control-port 8081 --target <the worker's Node-RED>`. */
  defaultPorts: RunningDownspin;
  /** Chromium with the built extension, its options never touched. */
  extensionContext: { context: BrowserContext; id: string };
}

const test = realApps.extend<Fixtures>({
  defaultPorts: async ({ nodeRed }, use) => {
    await assertFree(PROXY_PORT);
    await assertFree(CONTROL_PORT);
    const server = await startDownspin({ port: PROXY_PORT, controlPort: CONTROL_PORT, args: ['--target', nodeRed.url], watchdog: true, timeoutMs: START_TIMEOUT_MS });
    await use(server);
    await server.dispose();
  },
  // Playwright reads baseURL for every test: point it here, or it would start the worker's port-0 downspin for nothing.
  baseURL: async ({ defaultPorts }, use) => use(defaultPorts.proxyUrl),
  // The config's launch options (Debian's Chromium and its flags), plus the extension.
  extensionContext: async ({ launchOptions }, use) => {
    const extension = builtChromeExtension();
    const context = await chromium.launchPersistentContext('', {
      ...launchOptions,
      headless: true,
      args: [...(launchOptions.args ?? []), `--disable-extensions-except=${extension}`, `--load-extension=${extension}`],
    });
    const worker = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://')) ?? (await context.waitForEvent('serviceworker'));
    await use({ context, id: new URL(worker.url()).host });
    await context.close();
  },
});

test('with default options the extension tags a tab opened at the URL downspin start prints', async ({ defaultPorts: server, extensionContext }) => {
  test.setTimeout(180_000);
  const { context, id } = extensionContext;
  // What a newcomer copies from the banner (issue 11, item 6).
  expect(server.proxyUrl).toBe(`http://127.0.0.1:${PROXY_PORT}`);

  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${id}/popup.html`);
  await popup.getByTestId('consent').click();
  await expect(popup.getByTestId('session-hash')).toHaveText(/^[0-9a-f]{12}$/);
  const hash = (await popup.getByTestId('session-hash').textContent())!;

  const requests = async (): Promise<number> => {
    const res = await fetch(`${server.controlUrl}/admin/sessions/${hash}`, { headers: { 'x-api-key': server.adminKey } });
    return res.ok ? ((await res.json()) as { session: SessionView }).session.requests : 0;
  };
  /** Opens the editor at `origin` in a new tab; resolves with how many requests the tab got answered there. */
  const openTab = async (origin: string): Promise<number> => {
    const page = await context.newPage();
    let answered = 0;
    page.on('requestfinished', (request) => {
      if (new URL(request.url()).origin === origin) answered++;
    });
    await page.goto(`${origin}/`);
    await expect(deployButton(page)).toBeVisible({ timeout: 30_000 });
    return answered;
  };

  // The printed URL: the proxy counts the editor's requests for the extension's session, not for a cookie session of its own.
  const printed = await openTab(server.proxyUrl);
  // Soft: the control below still runs and reports.
  await expect
    .configure({ soft: true })
    .poll(requests, { message: `requests of the extension's session ${hash} from ${server.proxyUrl}`, timeout: 15_000 })
    .toBeGreaterThanOrEqual(printed);

  // Control: the spelling in the extension's defaults today is tagged (consent and counting work here).
  const localhost = await openTab(`http://localhost:${PROXY_PORT}`);
  await expect.poll(requests, { message: `requests of the extension's session ${hash} from localhost`, timeout: 15_000 }).toBeGreaterThanOrEqual(localhost);
});
