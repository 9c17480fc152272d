import { test as base, chromium, expect, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../playwright.config.js';
import { builtChromeExtension } from '../../../browser-support/built-extension.js';
import { startExtensionDownspin, type Downspin } from './downspin.js';
import { startRecorder, type Recorder } from './recorder.js';

/** The extension under test, driven the way a user would: options page, popup. */
export interface ExtensionDriver {
  id: string;
  /** Sets proxy origins and control API URL on the options page. */
  configure(settings: { proxyOrigins: string[]; controlUrl: string }): Promise<void>;
  /** The popup, opened in a tab of its own. */
  openPopup(): Promise<Page>;
  /** Clicks "Give consent" in the popup and waits for the session hash. */
  consent(popup: Page): Promise<string>;
  /** Runs code in the background service worker. */
  background<T>(fn: () => T | Promise<T>): Promise<T>;
  badge(): Promise<string>;
  /** The session id kept in extension storage, if any. */
  sessionId(): Promise<string | undefined>;
}

interface TestFixtures {
  extension: ExtensionDriver;
}

interface WorkerFixtures {
  extensionPath: string;
  downspin: Downspin;
  recorder: Recorder;
}

async function serviceWorkerOf(context: BrowserContext, id?: string): Promise<Worker> {
  const ours = (worker: Worker): boolean => worker.url().startsWith(id ? `chrome-extension://${id}/` : 'chrome-extension://');
  return context.serviceWorkers().find(ours) ?? (await context.waitForEvent('serviceworker', { predicate: ours }));
}

/**
 * Real Chromium with the built extension loaded (Playwright's chrome
 * extension recipe), a real `downspin start` per worker and a recording
 * origin; every test gets a fresh browser profile.
 */
export const test = base.extend<TestFixtures, WorkerFixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  extensionPath: [async ({}, use) => use(builtChromeExtension()), { scope: 'worker', timeout: 300_000 }],
  downspin: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const downspin = await startExtensionDownspin();
      await use(downspin);
      await downspin.dispose();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  recorder: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const recorder = await startRecorder();
      await use(recorder);
      await recorder.close();
    },
    { scope: 'worker' },
  ],
  context: async ({ extensionPath, recorder }, use) => {
    recorder.reset();
    const context = await chromium.launchPersistentContext('', {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, `--disable-extensions-except=${extensionPath}`, `--load-extension=${extensionPath}`],
    });
    await use(context);
    await context.close();
  },
  extension: async ({ context }, use) => {
    const id = new URL((await serviceWorkerOf(context)).url()).host;
    const driver: ExtensionDriver = {
      id,
      async configure({ proxyOrigins, controlUrl }) {
        const page = await context.newPage();
        await page.goto(`chrome-extension://${id}/options.html`);
        await page.getByTestId('proxy-origins').fill(proxyOrigins.join('\n'));
        await page.getByTestId('control-url').fill(controlUrl);
        await page.getByTestId('save').click();
        await expect(page.getByTestId('status')).toHaveText('Saved.');
        await page.close();
      },
      async openPopup() {
        const page = await context.newPage();
        await page.goto(`chrome-extension://${id}/popup.html`);
        return page;
      },
      async consent(popup) {
        await popup.getByTestId('consent').click();
        await expect(popup.getByTestId('session-hash')).toHaveText(/^[0-9a-f]{12}$/);
        return (await popup.getByTestId('session-hash').textContent()) ?? '';
      },
      async background(fn) {
        return (await serviceWorkerOf(context, id)).evaluate(fn);
      },
      badge: () => driver.background(() => chrome.action.getBadgeText({})),
      sessionId: () => driver.background(async () => ((await chrome.storage.local.get('session')).session as { id: string } | undefined)?.id),
    };
    await use(driver);
  },
});

export { expect };

/** Times one fetch from inside a page (its own session, its own cookies); the one definition is @downspin/testing's. */
export { median, timedFetch, timedSamples } from '@downspin/testing';
