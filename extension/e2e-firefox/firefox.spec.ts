import { chromium } from '@playwright/test';
import { sessionHash, type AdminStats, type SessionView } from '@downspin/protocol';
import type { Page } from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config.js';
import { timedFetch } from '@downspin/testing';
import { expect, test } from './support/fixtures.js';

const HEADER = 'x-downspin-session';

/** Text of the first element matching `selector` (piercing the overlay's shadow root), '' when absent. */
const textOf = (page: Page, selector: string): Promise<string> =>
  page.$(selector).then((element) => (element === null ? '' : element.evaluate((node) => node.textContent ?? '')));

test.describe('the Firefox build in Firefox ESR', () => {
  test('options are saved after the host permission prompt is accepted, and the page shows them again', async ({ firefox, downspin }) => {
    const saved = await firefox.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    expect(saved.prompted).toBe(true);

    // Opened again the way a user does (the popup's Options link), it shows what was saved.
    const popup = await firefox.openPopup();
    await expect.poll(() => textOf(popup, '[data-testid=proxy-origins]')).toBe(downspin.proxyUrl);
    const options = await firefox.openOptions(popup);
    await expect
      .poll(() => options.evaluate(() => [(document.querySelector('[data-testid=proxy-origins]') as HTMLTextAreaElement | null)?.value, (document.querySelector('[data-testid=control-url]') as HTMLInputElement | null)?.value]))
      .toEqual([downspin.proxyUrl, downspin.controlUrl]);
  });

  test('after consent the proxy origin carries the session: header on page, fetch and WebSocket, counted under the popup hash', async ({ firefox, downspin, recorder }) => {
    await firefox.configure({ proxyOrigins: [downspin.proxyUrl, recorder.url], controlUrl: downspin.controlUrl });
    const popup = await firefox.openPopup();
    const shownHash = await firefox.consent(popup);
    await expect.poll(() => popup.$eval('[data-testid=connection]', (node) => node.getAttribute('data-state'))).toBe('open');
    await expect.poll(() => firefox.badge()).toBe('ON');

    const page = await firefox.open(`${recorder.url}/`);
    await page.evaluate(async () => {
      await fetch('/api/thing', { cache: 'no-store' });
      const socket = new WebSocket(`ws://${location.host}/feed`);
      await new Promise((resolve) => socket.addEventListener('close', resolve));
    });
    await expect.poll(() => recorder.requests.map((request) => (request.upgrade ? 'ws' : request.url)).sort()).toEqual(
      expect.arrayContaining(['/', '/api/thing', '/frame.html', '/pixel.gif', '/style.css', 'ws']),
    );
    const id = recorder.requests[0]?.headers[HEADER];
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const request of recorder.requests) expect(request.headers[HEADER], `${request.method} ${request.url}`).toBe(id);
    expect(shownHash).toBe(await sessionHash(id as string));

    const { sessions } = (await downspin.api<{ sessions: SessionView[] }>('GET', '/admin/sessions')).body;
    expect(sessions.find((session) => session.hash === shownHash)).toMatchObject({ consent: true, mode: 'none' });

    // Through the real proxy (which strips the header before the app) the session is counted.
    await page.goto(`${downspin.proxyUrl}/`);
    await firefox.click(page, '[data-testid=load-items]');
    await expect
      .poll(async () => (await downspin.api<{ session: SessionView }>('GET', `/admin/sessions/${shownHash}`)).body.session.requests)
      .toBeGreaterThan(0);
  });

  test('a downspin slows this tab and not another browser; popup and badge follow', async ({ firefox, downspin }) => {
    await firefox.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    const popup = await firefox.openPopup();
    const hash = await firefox.consent(popup);
    await expect.poll(() => popup.$eval('[data-testid=connection]', (node) => node.getAttribute('data-state'))).toBe('open');
    const page = await firefox.open(`${downspin.proxyUrl}/`);

    const other = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    try {
      const stranger = await (await other.newContext()).newPage();
      await stranger.goto(`${downspin.proxyUrl}/`);

      const applied = await downspin.api<{ applied: { acknowledged: boolean } }>('POST', `/admin/sessions/${hash}/downspin`, { latency_ms: 2000 });
      expect(applied.status).toBe(200);
      expect(applied.body.applied.acknowledged).toBe(true);

      // The added 2 s is a floor for this tab; the other browser's session is not shaped at all.
      const slow = await timedFetch(page, '/api/items');
      expect(slow.status).toBe(200);
      expect(slow.ms).toBeGreaterThanOrEqual(1950);
      const strangerFetch = await timedFetch(stranger, '/api/items');
      expect(strangerFetch.status).toBe(200);
      expect(strangerFetch.ms).toBeLessThan(1500);
    } finally {
      await other.close();
    }
    const { session } = (await downspin.api<{ session: SessionView }>('GET', `/admin/sessions/${hash}`)).body;
    expect(session.mode).toBe('downspin');

    await expect.poll(() => textOf(popup, '[data-testid=mode]')).toBe('downspin (added latency)');
    await expect.poll(() => textOf(popup, '[data-testid=shaping]')).toContain('2000');
    await expect.poll(() => firefox.badge()).toBe('SLOW');
  });

  test('a notify shows a toast in the page, as text', async ({ firefox, downspin }) => {
    await firefox.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    const popup = await firefox.openPopup();
    const hash = await firefox.consent(popup);
    await expect.poll(() => popup.$eval('[data-testid=connection]', (node) => node.getAttribute('data-state'))).toBe('open');
    const page = await firefox.open(`${downspin.proxyUrl}/`);

    // The page script (registered for the host: Firefox patterns have no port) asks the background
    // for its config before it listens; a notify sent before that reaches no page, so it is sent again.
    await expect(async () => {
      const sent = await downspin.api('POST', `/admin/sessions/${hash}/notify`, { message: 'Checkout is under test: <b>retry</b> in 1 min', type: 'warning' });
      expect(sent.status).toBe(202);
      await expect.poll(() => textOf(page, 'downspin-overlay >>> .toast .message'), { timeout: 3_000 }).toBe('Checkout is under test: <b>retry</b> in 1 min');
    }).toPass({ timeout: 30_000 });
    expect(await page.$eval('downspin-overlay >>> .toast', (toast) => [toast.getAttribute('data-level'), toast.querySelectorAll('b').length])).toEqual(['warning', 0]);
  });

  test('a terminate shows the notice and closes the channel; revoke then stops the header', async ({ firefox, downspin, recorder }) => {
    await firefox.configure({ proxyOrigins: [downspin.proxyUrl, recorder.url], controlUrl: downspin.controlUrl });
    const popup = await firefox.openPopup();
    const hash = await firefox.consent(popup);
    await expect.poll(() => popup.$eval('[data-testid=connection]', (node) => node.getAttribute('data-state'))).toBe('open');
    const page = await firefox.open(`${downspin.proxyUrl}/`);
    const connected = async (): Promise<number> => (await downspin.api<AdminStats>('GET', '/admin/stats')).body.channels.client.connected;
    await expect.poll(connected).toBe(1);

    expect((await downspin.api('POST', `/admin/sessions/${hash}/terminate`, { reason: 'The checkout test is over.' })).status).toBe(200);
    await expect.poll(() => textOf(page, 'downspin-overlay >>> .notice .message')).toBe('The checkout test is over.');
    expect(await textOf(page, 'downspin-overlay >>> .notice')).toContain('Your downspin session was ended.');
    await expect.poll(() => textOf(popup, '[data-testid=terminated]')).toContain('The checkout test is over.');
    await expect.poll(() => firefox.badge()).toBe('END');
    await expect.poll(connected).toBe(0);
    expect((await timedFetch(page, '/api/items')).status).toBe(403);
    // A page loaded afterwards shows the notice too.
    await page.reload();
    await expect.poll(() => textOf(page, 'downspin-overlay >>> .notice .message')).toBe('The checkout test is over.');

    // Still terminated, the header is still sent (the proxy refuses it); revoking removes it.
    const headerOnNextPage = async (): Promise<unknown> => {
      recorder.reset();
      const next = await firefox.open(`${recorder.url}/`);
      await next.evaluate(() => fetch('/api/thing', { cache: 'no-store' }));
      await expect.poll(() => recorder.requests.some((request) => request.url === '/api/thing')).toBe(true);
      await next.close();
      return recorder.requests.find((request) => request.url === '/api/thing')?.headers[HEADER];
    };
    expect(await headerOnNextPage()).toMatch(/^[A-Za-z0-9_-]{22}$/);

    await firefox.click(popup, '[data-testid=revoke]');
    await popup.locator('[data-testid=consent]').wait();
    await expect.poll(() => firefox.badge()).toBe('');
    expect(await headerOnNextPage()).toBeUndefined();
    expect(recorder.requests.filter((request) => request.headers[HEADER] !== undefined)).toEqual([]);
  });

  test('the command channel stays open past the 30 s after which Firefox suspends an idle event page', async ({ firefox, downspin }) => {
    test.setTimeout(150_000);
    await firefox.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    const popup = await firefox.openPopup();
    const hash = await firefox.consent(popup);
    await expect.poll(() => popup.$eval('[data-testid=connection]', (node) => node.getAttribute('data-state'))).toBe('open');
    await popup.close();
    const connected = async (): Promise<number> => (await downspin.api<AdminStats>('GET', '/admin/stats')).body.channels.client.connected;
    await expect.poll(connected).toBe(1);

    // Nothing wakes the event page from here on but its own keepalive. Firefox's idle limit is 30 s
    // (extensions.background.idle.timeout); a suspend would close the channel, and it never comes back.
    // (Before consent Firefox may suspend it: nothing needs it then.)
    const idleSince = Date.now();
    const suspendedBefore = await firefox.backgroundSuspends();
    await expect
      .poll(async () => ({ suspends: (await firefox.backgroundSuspends()) - suspendedBefore, connected: await connected(), pastIdleLimit: Date.now() - idleSince > 45_000 }), {
        timeout: 90_000,
        intervals: [1_000],
      })
      .toEqual({ suspends: 0, connected: 1, pastIdleLimit: true });

    // And the session still takes commands: a notify reaches a page opened now.
    const page = await firefox.open(`${downspin.proxyUrl}/`);
    await expect(async () => {
      expect((await downspin.api('POST', `/admin/sessions/${hash}/notify`, { message: 'still here', type: 'info' })).status).toBe(202);
      await expect.poll(() => textOf(page, 'downspin-overlay >>> .toast .message'), { timeout: 3_000 }).toBe('still here');
    }).toPass({ timeout: 30_000 });
  });
});
