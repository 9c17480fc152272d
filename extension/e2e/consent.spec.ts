import { sessionHash, type AdminStats, type SessionView } from '@downspin/protocol';
import { EMPTY_DIAGNOSTICS, type ExtensionState } from '../src/shared/state.js';
import { expect, test } from './support/fixtures.js';

const HEADER = 'x-downspin-session';

test.describe('consent', () => {
  test('before consent no request carries the header and nothing reaches the control API', async ({ context, extension, downspin, recorder }) => {
    // The worker's downspin may have served earlier tests: compare with where it is now.
    const stats = async (): Promise<AdminStats> => (await downspin.api<AdminStats>('GET', '/admin/stats')).body;
    const consenting = async (): Promise<string[]> =>
      (await downspin.api<{ sessions: SessionView[] }>('GET', '/admin/sessions?limit=1000')).body.sessions.filter((s) => s.consent).map((s) => s.hash);
    await expect.poll(async () => (await stats()).channels.client.connected).toBe(0);
    const before = { events: (await stats()).clientEvents, consenting: await consenting() };

    await extension.configure({ proxyOrigins: [downspin.proxyUrl, recorder.url], controlUrl: downspin.controlUrl });
    const page = await context.newPage();
    await page.goto(`${recorder.url}/`);
    await page.getByTestId('go').click();
    await page.evaluate(async () => {
      await fetch('/api/thing', { cache: 'no-store' });
      const socket = new WebSocket(`ws://${location.host}/feed`);
      await new Promise((resolve) => socket.addEventListener('close', resolve));
    });
    await page.goto(`${downspin.proxyUrl}/`);
    await page.getByTestId('load-items').click();
    await expect(page.getByTestId('items-status')).not.toHaveText('');
    // No wait for the event flush: without consent no page script is registered (asserted below),
    // so nothing records events, and the background's own counters show nothing was sent.

    expect(recorder.requests.length).toBeGreaterThanOrEqual(5);
    expect(recorder.requests.some((request) => request.upgrade)).toBe(true);
    expect(recorder.requests.filter((request) => request.headers[HEADER] !== undefined)).toEqual([]);
    expect(await extension.sessionId()).toBeUndefined();
    expect(await extension.background(() => chrome.declarativeNetRequest.getSessionRules())).toEqual([]);
    expect(await extension.background(() => chrome.scripting.getRegisteredContentScripts())).toEqual([]);
    expect(await extension.badge()).toBe('');
    const diagnostics = await extension.background(async () => ((await chrome.storage.session.get('state')).state as ExtensionState | undefined)?.diagnostics);
    expect(diagnostics ?? EMPTY_DIAGNOSTICS).toEqual(EMPTY_DIAGNOSTICS);

    const after = await stats();
    expect(after.channels.client.connected).toBe(0);
    expect(after.clientEvents).toEqual(before.events);
    expect(await consenting()).toEqual(before.consenting);
  });

  test('after consent every request to the proxy origins carries the session, and the API lists it by hash', async ({ context, extension, downspin, recorder }) => {
    await extension.configure({ proxyOrigins: [downspin.proxyUrl, recorder.url], controlUrl: downspin.controlUrl });
    const popup = await extension.openPopup();
    const shownHash = await extension.consent(popup);
    await expect(popup.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    await expect(popup.getByTestId('mode')).toHaveText('no shaping');

    const id = await extension.sessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(shownHash).toBe(await sessionHash(id!));
    expect(await extension.badge()).toBe('ON');

    const { sessions } = (await downspin.api<{ sessions: SessionView[] }>('GET', '/admin/sessions')).body;
    expect(sessions.find((session) => session.hash === shownHash)).toMatchObject({ hash: shownHash, consent: true, mode: 'none' });
    // The dashboard shows hashes, never ids.
    expect(JSON.stringify(sessions)).not.toContain(id!);

    // Page, stylesheet, image, iframe, fetch and WebSocket on the recording origin.
    const page = await context.newPage();
    await page.goto(`${recorder.url}/`);
    await expect(page.locator('iframe')).toBeVisible();
    await page.evaluate(async () => {
      await fetch('/api/thing', { cache: 'no-store' });
      const socket = new WebSocket(`ws://${location.host}/feed`);
      await new Promise((resolve) => socket.addEventListener('close', resolve));
    });
    await expect.poll(() => recorder.requests.map((request) => (request.upgrade ? 'ws' : request.url)).sort()).toEqual(
      expect.arrayContaining(['/', '/api/thing', '/frame.html', '/pixel.gif', '/style.css', 'ws']),
    );
    for (const request of recorder.requests) expect(request.headers[HEADER], `${request.method} ${request.url}`).toBe(id);

    // Through the real proxy the session is counted (the proxy strips the header before the app).
    await page.goto(`${downspin.proxyUrl}/`);
    await page.getByTestId('load-items').click();
    await expect
      .poll(async () => (await downspin.api<{ session: SessionView }>('GET', `/admin/sessions/${shownHash}`)).body.session.requests, { timeout: 10_000 })
      .toBeGreaterThan(0);
  });

  test('a request to an origin that is not configured never carries the session', async ({ context, extension, downspin, recorder }) => {
    await extension.configure({ proxyOrigins: [downspin.proxyUrl], controlUrl: downspin.controlUrl });
    await extension.consent(await extension.openPopup());
    const page = await context.newPage();
    await page.goto(`${recorder.url}/`);
    await page.evaluate(() => fetch('/api/thing', { cache: 'no-store' }));
    await expect.poll(() => recorder.requests.length).toBeGreaterThanOrEqual(2);
    expect(recorder.requests.filter((request) => request.headers[HEADER] !== undefined)).toEqual([]);
  });

  test('revoking consent removes the header, closes the channel and forgets the id', async ({ context, extension, downspin, recorder }) => {
    await extension.configure({ proxyOrigins: [downspin.proxyUrl, recorder.url], controlUrl: downspin.controlUrl });
    const popup = await extension.openPopup();
    await extension.consent(popup);
    await expect(popup.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    await expect.poll(async () => (await downspin.api<AdminStats>('GET', '/admin/stats')).body.channels.client.connected).toBe(1);

    await popup.getByTestId('revoke').click();
    await expect(popup.getByTestId('consent')).toBeVisible();
    expect(await extension.sessionId()).toBeUndefined();
    expect(await extension.background(() => chrome.declarativeNetRequest.getSessionRules())).toEqual([]);
    expect(await extension.badge()).toBe('');
    await expect.poll(async () => (await downspin.api<AdminStats>('GET', '/admin/stats')).body.channels.client.connected).toBe(0);

    recorder.reset();
    const page = await context.newPage();
    await page.goto(`${recorder.url}/`);
    await page.evaluate(() => fetch('/api/thing', { cache: 'no-store' }));
    await expect.poll(() => recorder.requests.length).toBeGreaterThanOrEqual(2);
    expect(recorder.requests.filter((request) => request.headers[HEADER] !== undefined)).toEqual([]);
  });
});
