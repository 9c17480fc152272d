import { expect, type Page, type Response } from '@playwright/test';

/** One WebSocket the page opened, as the page saw it. */
export interface PageSocket {
  url: string;
  opened: boolean;
  /** The close event, once it came: 1006 and not clean when the network dropped it. */
  closed: { code: number; wasClean: boolean } | null;
}

interface SocketWindow {
  downspinSockets: PageSocket[];
}

/**
 * Records every WebSocket the page's own code opens (Node-RED's `/comms`)
 * and how it closed; call before `goto`. Returns a reader.
 */
export async function recordSockets(page: Page): Promise<() => Promise<PageSocket[]>> {
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: PageSocket[] = [];
    (window as unknown as SocketWindow).downspinSockets = sockets;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        const socket: PageSocket = { url: String(url), opened: false, closed: null };
        sockets.push(socket);
        this.addEventListener('open', () => (socket.opened = true));
        this.addEventListener('close', (event) => (socket.closed = { code: event.code, wasClean: event.wasClean }));
      }
    };
  });
  return () => page.evaluate(() => (window as unknown as SocketWindow).downspinSockets ?? []);
}

/** Node-RED's editor: its header's Deploy button once the editor has loaded. */
export function deployButton(page: Page) {
  return page.locator('#red-ui-header-button-deploy');
}

/** Node-RED's own notice when its `/comms` socket is gone ("Lost connection to server, reconnecting..."). */
export function lostConnectionNotice(page: Page) {
  return page.locator('#red-ui-notifications').getByText(/^Lost connection to server/);
}

/**
 * Opens the Node-RED editor through the proxy and waits until it runs: the
 * editor is drawn and its comms socket is open.
 */
export async function openEditor(page: Page, sockets: () => Promise<PageSocket[]>): Promise<void> {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(deployButton(page)).toBeVisible({ timeout: 30_000 });
  await expect.poll(async () => (await sockets()).map((s) => ({ comms: s.url.endsWith('/comms'), opened: s.opened, closed: s.closed })), { timeout: 15_000 }).toEqual([
    { comms: true, opened: true, closed: null },
  ]);
}

/**
 * CONTRACT (issue 11, item 4): a refusal answered to a navigation is an
 * HTML page with `<body data-downspin-error="<code>">` and a `<title>`
 * starting with `downspin:`, same status, still marked `x-downspin-error`.
 * The page checks are soft: the caller's next checks (the JSON answer to an
 * API call, the app working again) still run and report.
 */
export async function expectRefusalPage(page: Page, response: Response | null, code: string, status: number): Promise<void> {
  expect(response, 'the navigation got no response').not.toBeNull();
  expect(response!.status()).toBe(status);
  expect(response!.headers()['x-downspin-error']).toBe(code);
  expect.soft(response!.headers()['content-type'], 'a navigation gets an HTML page').toMatch(/^text\/html/);
  // The document is loaded once goto resolved: a short deadline is enough.
  await expect.soft(page.locator('body'), 'the page names the refusal').toHaveAttribute('data-downspin-error', code, { timeout: 2_000 });
  await expect.soft(page, 'the page says it is downspin\'s').toHaveTitle(/^downspin:/, { timeout: 2_000 });
}
