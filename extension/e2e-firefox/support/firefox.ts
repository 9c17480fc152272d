import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from '@playwright/test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The add-on id from the manifest's `browser_specific_settings.gecko.id`. */
const ADDON_ID = 'downspin-extension@downspin.local';
/** Pinned with `extensions.webextensions.uuids`, so the tests know the extension's origin before it is installed. */
export const EXTENSION_UUID = '5a1d7e0c-3f2b-4c8e-9d61-0b7f5e2a4c93';
export const EXTENSION_ORIGIN = `moz-extension://${EXTENSION_UUID}`;
/** Firefox's id for the toolbar button of an extension (`makeWidgetId(id)-browser-action`). */
const ACTION_WIDGET = `${ADDON_ID.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}-browser-action`;
const UI_TIMEOUT_MS = 20_000;

/**
 * Firefox ESR with the built extension installed as a temporary add-on, driven
 * over WebDriver BiDi (puppeteer-core). Extension pages are opened the way a
 * user opens them: the popup's URL typed into a new tab (BiDi itself refuses to
 * navigate to moz-extension://), the options page from the popup's Options
 * link (`runtime.openOptionsPage()`); the host permission prompt is answered by
 * clicking its Allow button in the browser's own UI.
 */
export interface FirefoxExtension {
  browser: Browser;
  /** A new tab on a web page. */
  open(url: string): Promise<Page>;
  /** The popup, in a tab of its own (as the Chromium suite does). */
  openPopup(): Promise<Page>;
  /** The options page, opened from the popup's Options link as a user does, loaded. */
  openOptions(popup: Page): Promise<Page>;
  /** Opens the options page from the popup's Options link and saves proxy origins and control API URL. */
  configure(settings: { proxyOrigins: string[]; controlUrl: string }): Promise<{ prompted: boolean }>;
  /** Switches to `page`'s tab and clicks `selector` there (a click waits for the element in view, which a background tab never is). */
  click(page: Page, selector: string): Promise<void>;
  /** Clicks "Give consent" in the popup (accepting a permission prompt if Firefox shows one); resolves to the hash shown. */
  consent(popup: Page): Promise<string>;
  /** Clicks Allow on the host permission prompt once it shows. */
  acceptPermissionPrompt(): Promise<void>;
  /** The text of the extension's toolbar badge. */
  badge(): Promise<string>;
  /** How many times Firefox suspended the extension's event page (idle) since launch. */
  backgroundSuspends(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The BiDi connection under puppeteer's Firefox `Browser` (its BidiBrowser's `connection`, not in
 * the public types): the chrome-scoped commands below are Firefox's own and have no puppeteer API.
 */
function bidi(browser: Browser): { send(method: string, params: object): Promise<unknown> } {
  return (browser as unknown as { connection: { send(method: string, params: object): Promise<unknown> } }).connection;
}

/** Runs `expression` in the browser window's chrome (needs `--remote-allow-system-access`). */
async function chromeEval<T>(browser: Browser, context: string, expression: string): Promise<T> {
  const reply = (await bidi(browser).send('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' })) as {
    result: { type: 'success'; result: { value?: unknown } } | { type: 'exception'; exceptionDetails: { text: string } };
  };
  if (reply.result.type === 'exception') throw new Error(`chrome script failed: ${reply.result.exceptionDetails.text}`);
  return reply.result.result.value as T;
}

async function firstChromeWindow(browser: Browser): Promise<string> {
  const tree = (await bidi(browser).send('browsingContext.getTree', { 'moz:scope': 'chrome' })) as {
    result: { contexts: { context: string; url: string }[] };
  };
  const window = tree.result.contexts.find((context) => context.url === 'chrome://browser/content/browser.xhtml');
  if (!window) throw new Error('no Firefox browser window over BiDi');
  return window.context;
}

/**
 * The tab a click or a typed URL opened: the one page that was not there before.
 *
 * An action that opened nothing within UI_TIMEOUT_MS is done once more.
 * Under load Firefox has twice left an action without a tab for 20 s while
 * every identical one opened one: a freshly installed add-on's first
 * `runtime.openOptionsPage()` (two busy loops), and a popup URL typed into a
 * new tab (a CI run). A second options call cannot open a second tab (with
 * `open_in_tab` Firefox switches to the one open); a second popup tab, if
 * the first shows up late, is a popup like the other. If still nothing
 * opened, the error lists the window's tabs as Firefox has them, which tells
 * a tab Firefox never opened from one BiDi never reported.
 */
async function newPageAfter(browser: Browser, before: Set<Page>, action: () => Promise<unknown>, tabsInWindow: () => Promise<string>): Promise<Page> {
  let found: Page | undefined;
  const opened = async (): Promise<boolean> => (found = (await browser.pages()).find((page) => !before.has(page))) !== undefined;
  await action();
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while (!(await opened()) && Date.now() < deadline) await sleep(100);
  if (found !== undefined) return found;
  await action();
  try {
    await expect.poll(opened, { timeout: UI_TIMEOUT_MS }).toBe(true);
  } catch (error) {
    throw new Error(`no new tab after the action, twice; the window's tabs: ${await tabsInWindow()}`, { cause: error });
  }
  return found!;
}

export async function launchFirefoxWithExtension(extensionPath: string): Promise<FirefoxExtension> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    protocolTimeout: 60_000,
    // Lets BiDi reach the browser window's chrome: the toolbar badge, the address bar, the permission prompt.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: EXTENSION_UUID }),
      // Firefox 127+ grants an MV3 add-on's host_permissions at install; a user can take them back in
      // about:addons (and Firefox 115-126 never granted them). Off here, so the suite goes through the
      // prompt the options page and the popup raise, and accepts it as a user does.
      'extensions.originControls.grantByDefault': false,
    },
  });
  try {
    await browser.installExtension(extensionPath);
    const window = await firstChromeWindow(browser);
    const chrome = <T>(expression: string): Promise<T> => chromeEval<T>(browser, window, expression);
    // Counts Firefox's own "the idle event page is being suspended" signal.
    await chrome(
      `(() => { window.downspinSuspends = 0; WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).extension.on('background-script-suspend', () => { window.downspinSuspends++; }); })()`,
    );

    // As one string: BiDi would hand an array back as remote values, one per item.
    const tabsInWindow = (): Promise<string> => chrome<string>('JSON.stringify(gBrowser.tabs.map((tab) => tab.linkedBrowser.currentURI.spec))');
    /** What the address bar does with a typed URL: a trusted load in a new tab. */
    const typeInNewTab = async (url: string): Promise<Page> =>
      newPageAfter(browser, new Set(await browser.pages()), () => chrome(`void openTrustedLinkIn(${JSON.stringify(url)}, 'tab')`), tabsInWindow);

    const promptShowing = (): Promise<boolean> =>
      chrome<boolean>(`PopupNotifications.panel.state === 'open' && PopupNotifications.panel.querySelector('#addon-webext-permissions-notification') !== null`);

    const driver: FirefoxExtension = {
      browser,
      async open(url) {
        const page = await browser.newPage();
        page.setDefaultTimeout(UI_TIMEOUT_MS);
        await page.goto(url);
        return page;
      },
      async openPopup() {
        const popup = await typeInNewTab(`${EXTENSION_ORIGIN}/popup.html`);
        popup.setDefaultTimeout(UI_TIMEOUT_MS);
        await popup.locator('main.popup h1').wait();
        return popup;
      },
      async openOptions(popup) {
        const options = await newPageAfter(browser, new Set(await browser.pages()), () => driver.click(popup, '::-p-xpath(//a[normalize-space()="Options"])'), tabsInWindow);
        options.setDefaultTimeout(UI_TIMEOUT_MS);
        await expect.poll(() => options.evaluate(() => location.href), { timeout: UI_TIMEOUT_MS }).toBe(`${EXTENSION_ORIGIN}/options.html`);
        return options;
      },
      async configure({ proxyOrigins, controlUrl }) {
        const popup = await driver.openPopup();
        await popup.locator('[data-testid=consent], [data-testid=revoke]').wait();
        const options = await driver.openOptions(popup);
        await options.locator('[data-testid=proxy-origins]').fill(proxyOrigins.join('\n'));
        await options.locator('[data-testid=control-url]').fill(controlUrl);
        await options.locator('[data-testid=save]').click();
        // Saving asks for the origins' host permissions; Firefox shows its prompt unless they are granted.
        let prompted = false;
        await expect
          .poll(async () => {
            if (await promptShowing()) {
              prompted = true;
              await driver.acceptPermissionPrompt();
            }
            return options.$eval('[data-testid=status]', (status) => status.textContent);
          }, { timeout: UI_TIMEOUT_MS })
          .toBe('Saved.');
        await options.close();
        await popup.close();
        return { prompted };
      },
      async click(page, selector) {
        await page.bringToFront();
        await page.locator(selector).click();
      },
      async consent(popup) {
        await popup.bringToFront();
        await popup.locator('[data-testid=consent]').click();
        let hash = '';
        await expect
          .poll(async () => {
            if (await promptShowing()) await driver.acceptPermissionPrompt();
            hash = await popup.evaluate(() => document.querySelector('[data-testid=session-hash]')?.textContent ?? '');
            return hash;
          }, { timeout: UI_TIMEOUT_MS })
          .toMatch(/^[0-9a-f]{12}$/);
        return hash;
      },
      async acceptPermissionPrompt() {
        await expect.poll(promptShowing, { timeout: UI_TIMEOUT_MS }).toBe(true);
        // The prompt's primary button is "Allow": the click a user makes.
        await chrome(`PopupNotifications.panel.querySelector('#addon-webext-permissions-notification').button.click()`);
        await expect.poll(promptShowing, { timeout: UI_TIMEOUT_MS }).toBe(false);
      },
      badge: () =>
        chrome<string>(
          `(() => { const node = CustomizableUI.getWidget(${JSON.stringify(ACTION_WIDGET)})?.forWindow(window).node; return node?.querySelector('[badge]')?.getAttribute('badge') ?? node?.getAttribute('badge') ?? ''; })()`,
        ),
      backgroundSuspends: () => chrome<number>('window.downspinSuspends'),
      close: () => browser.close(),
    };
    return driver;
  } catch (error) {
    await browser.close();
    throw error;
  }
}
