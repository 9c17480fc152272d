import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test as base, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { trustDownspinCa } from '@downspin/playwright';
import { builtChromeExtension } from '../../browser-support/built-extension.js';
import { forwardWorkerFixtures, hostName, sessionEndpoints, sessionRows, type ForwardDownspin, type ForwardWorkers } from './support/forward.js';
import { API_HOST, APP_HOST } from './support/two-origins.js';

const API_LATENCY_MS = 700;

interface Workers extends ForwardWorkers {
  /** The built Chrome extension, its manifest granting the two hosts (what the user's "Allow" on the options page grants). */
  grantedExtension: string;
}

/**
 * Headless Chromium cannot click the permission prompt the options page
 * raises for a new host, so the copy the test loads has the hosts' patterns
 * in its manifest already: the state after the user allowed them. Nothing
 * else of the build changes.
 */
async function extensionGrantedFor(hosts: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'downspin-extension-'));
  await cp(builtChromeExtension(), dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as { host_permissions: string[] };
  manifest.host_permissions.push(...hosts.flatMap((host) => ['https', 'wss', 'http', 'ws'].map((scheme) => `${scheme}://${host}/*`)));
  await writeFile(file, JSON.stringify(manifest));
  return dir;
}

async function extensionWorker(context: BrowserContext): Promise<Worker> {
  const ours = (worker: Worker): boolean => worker.url().startsWith('chrome-extension://');
  return context.serviceWorkers().find(ours) ?? (await context.waitForEvent('serviceworker', { predicate: ours }));
}

const test = base.extend<Record<never, never>, Workers>({
  // No --require-proxy-auth: the extension's header, inside the tunnel, is the session.
  ...forwardWorkerFixtures({ requireProxyAuth: false }),
  grantedExtension: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const dir = await extensionGrantedFor([APP_HOST, API_HOST]);
      await use(dir);
      await rm(dir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 300_000 },
  ],
});

/** Chromium with the extension, trusting downspin's CA or not; resolves with the context and the extension's id. */
async function launch(extension: string, launchArgs: string[], trustSpki: string | undefined): Promise<{ context: BrowserContext; id: string }> {
  const context = await chromium.launchPersistentContext('', {
    headless: true,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...launchArgs, ...(trustSpki === undefined ? [] : trustDownspinCa(trustSpki)), `--disable-extensions-except=${extension}`, `--load-extension=${extension}`],
  });
  return { context, id: new URL((await extensionWorker(context)).url()).host };
}

/** The options a user sets: the two hosts and the proxy's address; then consent in the popup. */
async function routeThroughDownspin(context: BrowserContext, id: string, forward: ForwardDownspin): Promise<Page> {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${id}/options.html`);
  await options.getByTestId('forward-hosts').fill(`${APP_HOST}\n${API_HOST}`);
  await options.getByTestId('forward-proxy').fill(new URL(forward.server.proxyUrl).host);
  await options.getByTestId('control-url').fill(forward.server.controlUrl);
  await options.getByTestId('save').click();
  await expect(options.getByTestId('status')).toHaveText('Saved.');
  await options.close();
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${id}/popup.html`);
  await popup.getByTestId('consent').click();
  await expect(popup.getByTestId('session-hash')).toHaveText(/^[0-9a-f]{12}$/);
  await expect(popup.getByTestId('forward-hosts')).toHaveText(`${APP_HOST}, ${API_HOST} through ${new URL(forward.server.proxyUrl).host}`);
  return popup;
}

test('the extension routes exactly the listed hosts through downspin and tags them: the API is shaped, CORS and the cookie work', async ({ forward, twoOrigins, grantedExtension, launchOptions }) => {
  test.setTimeout(180_000);
  const { context, id } = await launch(grantedExtension, launchOptions.args ?? [], forward.caSpki);
  try {
    const popup = await routeThroughDownspin(context, id, forward);
    const hash = (await popup.getByTestId('session-hash').textContent())!;
    const worker = await extensionWorker(context);
    const sessionId = await worker.evaluate(async () => {
      const storage = (globalThis as unknown as { chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } } }).chrome.storage;
      return ((await storage.local.get('session')).session as { id: string }).id;
    });
    const put = await fetch(`${forward.server.controlUrl}/admin/sessions/${sessionId}/profile`, {
      method: 'PUT',
      headers: { 'x-api-key': forward.server.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ profile: { latency: { ms: API_LATENCY_MS }, routes: [`${API_HOST}/**`] } }),
    });
    expect(put.status).toBe(200);

    const page = await context.newPage();
    await page.goto(`${twoOrigins.appOrigin}/`);
    const status = page.locator('#status');
    await expect(status).toHaveText(/^loaded 2 items in \d+ ms$/, { timeout: 20_000 });
    expect(Number(await status.getAttribute('data-ms'))).toBeGreaterThanOrEqual(API_LATENCY_MS - 50);
    // The app never saw the header the extension set (the proxy removes it) nor the session id.
    for (const r of twoOrigins.requests) expect(JSON.stringify(r.headers)).not.toContain(sessionId);

    await expect
      .poll(async () => [...new Set((await sessionRows(forward.server, hash)).map((row) => `${hostName(row.host)} ${row.method} ${row.path} ${row.injectedMs}`))].sort(), {
        timeout: 20_000,
      })
      .toEqual(expect.arrayContaining([`${APP_HOST} GET / 0`, `${API_HOST} POST /login ${API_LATENCY_MS}`, `${API_HOST} GET /items ${API_LATENCY_MS}`]));
    await expect.poll(async () => new Set((await sessionEndpoints(forward.server, hash)).map((e) => hostName(e.host))), { timeout: 20_000 }).toEqual(new Set([APP_HOST, API_HOST]));
    // Trusted: the popup shows no certificate trouble.
    await popup.reload();
    await expect(popup.getByTestId('session-hash')).toHaveText(hash);
    await expect(popup.getByTestId('untrusted-ca')).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("until the browser trusts downspin's CA, the popup says so (the first intercepted request fails on the certificate)", async ({ forward, twoOrigins, grantedExtension, launchOptions }) => {
  test.setTimeout(180_000);
  const { context, id } = await launch(grantedExtension, launchOptions.args ?? [], undefined);
  try {
    const popup = await routeThroughDownspin(context, id, forward);
    const page = await context.newPage();
    await expect(page.goto(`${twoOrigins.appOrigin}/`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    await popup.reload();
    await expect(popup.getByTestId('untrusted-ca')).toContainText(`does not trust downspin's certificate authority yet`);
    await expect(popup.getByTestId('untrusted-ca')).toContainText(APP_HOST);
    await expect(popup.getByTestId('untrusted-ca')).toContainText('ERR_CERT_AUTHORITY_INVALID');
  } finally {
    await context.close();
  }
});
