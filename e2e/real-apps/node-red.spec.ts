import type { Page } from '@playwright/test';
import { expectRefusalPage, lostConnectionNotice, openEditor, recordSockets } from './support/editor.js';
import { recordBrowserBytes } from './support/traffic.js';
import { expect, MAX_VIOLATIONS, test } from './support/test.js';

/** A JSON answer as a page's own `fetch` saw it (status 0: the request failed). */
async function pageFetch(page: Page, path: string, init: { method?: string; accept?: string; json?: unknown } = {}) {
  return page.evaluate(
    async ({ path, init }) => {
      try {
        const res = await fetch(path, {
          method: init.method ?? 'GET',
          cache: 'no-store',
          headers: {
            accept: init.accept ?? 'application/json',
            ...(init.json === undefined ? {} : { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }),
          },
          ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        return { status: res.status, refusal: res.headers.get('x-downspin-error'), type: res.headers.get('content-type'), body };
      } catch (error) {
        return { status: 0, refusal: null, type: null, body: String(error) };
      }
    },
    { path, init },
  );
}

test.describe('Node-RED behind the proxy', () => {
  test('offline drops the editor’s open WebSocket: Node-RED shows its own lost-connection notice, and reconnects once shaping is cleared', async ({
    page,
    shaper,
  }) => {
    const sockets = await recordSockets(page);
    await openEditor(page, sockets);
    await expect(lostConnectionNotice(page)).toBeHidden();

    await shaper.apply('offline');
    // As a dropped network does: the socket the editor already had closes abnormally, no close frame.
    await expect.poll(async () => (await sockets())[0]!.closed, { message: 'the open /comms socket under offline', timeout: 5_000 }).toEqual({
      code: 1006,
      wasClean: false,
    });
    // Node-RED retries every second and says so after its sixth failed attempt.
    await expect(lostConnectionNotice(page)).toBeVisible({ timeout: 20_000 });
    expect((await sockets()).filter((socket) => socket.opened)).toHaveLength(1);

    await shaper.apply('none');
    await expect(lostConnectionNotice(page)).toBeHidden({ timeout: 20_000 });
    const reconnected = (await sockets()).filter((socket) => socket.opened);
    expect(reconnected).toHaveLength(2);
    expect(reconnected[1]).toMatchObject({ closed: null });
    expect(reconnected[1]!.url).toMatch(/\/comms$/);
  });

  test('the session’s byte counters match what the browser moved, HTTP and WebSocket', async ({ page, shaper, baseURL }) => {
    const browserBytes = recordBrowserBytes(page, new URL(baseURL!).origin);
    const sockets = await recordSockets(page);
    await openEditor(page, sockets);

    // A flow whose inject node holds a 150 kB string: deployed through the editor's
    // admin API (request body in), then fired, so its debug node sends the string to
    // the editor over /comms (WebSocket bytes out).
    const big = 'x'.repeat(150_000);
    const flow = [
      { id: 'downspin-tab', type: 'tab', label: 'downspin' },
      {
        id: 'downspin-inject',
        type: 'inject',
        z: 'downspin-tab',
        props: [{ p: 'payload' }],
        payload: big,
        payloadType: 'str',
        repeat: '',
        crontab: '',
        once: false,
        topic: '',
        wires: [['downspin-debug']],
      },
      { id: 'downspin-debug', type: 'debug', z: 'downspin-tab', active: true, tosidebar: true, console: false, complete: 'payload', targetType: 'msg', wires: [] },
    ];
    expect((await pageFetch(page, 'flows', { method: 'POST', json: flow })).status).toBe(204);
    expect((await pageFetch(page, 'inject/downspin-inject', { method: 'POST' })).status).toBe(200);
    await expect.poll(async () => (await browserBytes()).wsOut, { message: 'the debug message over /comms' }).toBeGreaterThan(big.length);

    const moved = await browserBytes();
    // Proxies report activity about once a second: poll, with a deadline, for the counters to reach what the browser moved.
    let stats = await shaper.stats();
    const reached = async (): Promise<boolean> => {
      stats = await shaper.stats();
      return stats.bytesIn >= moved.bodiesIn && stats.bytesOut >= moved.bodiesOut;
    };
    // Soft: the assertions below name every figure when the counters fall short.
    await expect.soft.poll(reached, { timeout: 15_000, message: 'the session counters reach what the browser moved' }).toBe(true);
    // Whatever came since (Node-RED's heartbeat) may be counted too: the upper bound is read after.
    const after = await browserBytes();
    // Slack for what the browser does not report: transfer framing (chunk-size lines, a
    // WebSocket's close). 1 % of the bodies: a byte counted twice anywhere would be far past it.
    const slackIn = 64 * after.requests + Math.ceil(after.bodiesIn / 100);
    const slackOut = 64 * after.requests + Math.ceil(after.bodiesOut / 100);
    const figures = `counted in/out ${stats.bytesIn}/${stats.bytesOut}; browser bodies ${moved.bodiesIn}/${moved.bodiesOut} (WebSocket ${moved.wsIn}/${moved.wsOut}) + headers ${after.headersIn}/${after.headersOut}, ${after.requests} requests`;
    expect.soft(stats.bytesIn, `bytesIn counts every body byte the browser sent (${figures})`).toBeGreaterThanOrEqual(moved.bodiesIn);
    expect.soft(stats.bytesIn, `bytesIn is no more than bodies plus headers (${figures})`).toBeLessThanOrEqual(after.bodiesIn + after.headersIn + slackIn);
    expect.soft(stats.bytesOut, `bytesOut counts every body byte the browser received (${figures})`).toBeGreaterThanOrEqual(moved.bodiesOut);
    expect.soft(stats.bytesOut, `bytesOut is no more than bodies plus headers (${figures})`).toBeLessThanOrEqual(after.bodiesOut + after.headersOut + slackOut);
  });

  test('terminate: the open socket closes with 4403 (Node-RED shows it lost the server), a navigation gets the HTML page, an API call still gets JSON', async ({ page, shaper }) => {
    const sockets = await recordSockets(page);
    await openEditor(page, sockets);

    await shaper.terminate('real-apps suite');
    await expect.poll(async () => (await sockets())[0]!.closed?.code, { timeout: 5_000 }).toBe(4403);
    // Its reconnects are refused too: Node-RED says it lost the server.
    await expect(lostConnectionNotice(page)).toBeVisible({ timeout: 20_000 });

    await expectRefusalPage(page, await page.goto('/'), 'session_terminated', 403);
    const api = await pageFetch(page, 'settings');
    expect(api).toMatchObject({ status: 403, refusal: 'session_terminated', type: expect.stringMatching(/^application\/json/) });
    expect(api.body).toMatchObject({ error: { code: 'session_terminated' } });
  });

  test(`ban: after ${MAX_VIOLATIONS} rate-limit violations a navigation gets the HTML page`, async ({ page, shaper }) => {
    await page.goto('/favicon.ico');
    await shaper.apply({ rateLimit: { rps: 1, burst: 1 } });
    const seen: { status: number; refusal: string | null }[] = [];
    for (let i = 0; i < 4 * MAX_VIOLATIONS && seen.at(-1)?.refusal !== 'session_banned'; i++) {
      const { status, refusal } = await pageFetch(page, 'settings');
      seen.push({ status, refusal });
    }
    expect(seen.filter((answer) => answer.refusal === 'rate_limited')).toHaveLength(MAX_VIOLATIONS);
    expect(seen.at(-1)).toEqual({ status: 403, refusal: 'session_banned' });

    await expectRefusalPage(page, await page.goto('/'), 'session_banned', 403);
  });

  test('an injected fault: a navigation gets the HTML page, an API call JSON, and the next call reaches Node-RED', async ({ page, shaper }) => {
    await shaper.apply({ faults: { failFirst: 2, status: 503 }, routes: ['/settings'] });

    await expectRefusalPage(page, await page.goto('/settings'), 'injected_fault', 503);
    const api = await pageFetch(page, '/settings');
    expect(api).toMatchObject({ status: 503, refusal: 'injected_fault', type: expect.stringMatching(/^application\/json/) });
    expect(api.body).toMatchObject({ error: { code: 'injected_fault' } });

    const passed = await pageFetch(page, '/settings');
    expect(passed).toMatchObject({ status: 200, refusal: null });
    expect(passed.body).toMatchObject({ httpNodeRoot: '/' });
  });
});
