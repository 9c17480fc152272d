import {
  test as base,
  type PlaywrightTestArgs,
  type PlaywrightTestOptions,
  type PlaywrightWorkerArgs,
  type PlaywrightWorkerOptions,
  type TestType,
} from '@playwright/test';
import { newSessionId, sessionHash } from '@downspin/protocol';
import { ControlClient } from './control-client.js';
import { resolveForwardProxy, resolveOptions, resolveProxyOrigins, resolveSessionOrigins, type DownspinOptions } from './options.js';
import { sendSessionTo } from './session-origins.js';
import { SessionShaper, type Shaper, type StepRunner } from './shaper.js';
import { ProxyTraffic } from './traffic.js';

/** The option the fixture reads: `use: { downspin: { controlUrl, apiKey } }`. */
export interface DownspinTestOptions {
  downspin: DownspinOptions;
}

/** The fixtures a test gets. */
export interface DownspinFixtures {
  /** Shapes this test's own session (see `Shaper`). */
  shaper: Shaper;
}

interface DownspinSession {
  id: string;
  hash: string;
}

interface InternalFixtures {
  _downspinSession: DownspinSession;
  _downspinTraffic: ProxyTraffic;
}

/** The type of `test`: Playwright's, plus the `downspin` option and the `shaper` fixture. */
export type DownspinTestType = TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & DownspinTestOptions & DownspinFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions
>;

const step: StepRunner = (title, body) => base.step(title, body, { box: true });

const extended = base.extend<DownspinTestOptions & DownspinFixtures & InternalFixtures>({
  downspin: [{}, { option: true }],

  _downspinSession: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const id = newSessionId();
      await use({ id, hash: await sessionHash(id) });
    },
    { box: true },
  ],

  _downspinTraffic: [
    async ({ downspin, baseURL }, use) => {
      await use(new ProxyTraffic(new Set(resolveProxyOrigins(downspin, baseURL))));
    },
    { box: true },
  ],

  // Forward mode: the context's browser proxy is downspin, the session its user name.
  // Chromium sends the credentials once the proxy asks (407), on every tunnel it opens.
  proxy: async ({ proxy, downspin, _downspinSession }, use) => {
    const server = resolveForwardProxy(downspin);
    await use(server === undefined ? proxy : { server, username: _downspinSession.id, password: 'x' });
  },

  // The session goes only to the proxy's origins (see sendSessionTo), on the
  // context Playwright made, so the test's own extraHTTPHeaders stay as they are.
  context: async ({ context, downspin, baseURL, _downspinSession, _downspinTraffic }, use) => {
    await sendSessionTo(context, resolveSessionOrigins(downspin, baseURL), _downspinSession.id);
    const detach = _downspinTraffic.attach(context);
    await use(context);
    detach();
  },

  shaper: [
    async ({ downspin, baseURL, _downspinSession, _downspinTraffic }, use, testInfo) => {
      const options = resolveOptions(downspin, baseURL);
      // Without an origin nothing carries the session: shaping would change
      // nothing and the test would pass falsely.
      if (resolveForwardProxy(downspin) === undefined && resolveSessionOrigins(downspin, baseURL).length === 0) {
        throw new Error(
          'downspin: no origin to send the session to: set baseURL (the downspin proxy), use: { downspin: { proxyUrl } } or use: { downspin: { sessionOrigins } }',
        );
      }
      const shaper = new SessionShaper({
        sessionId: _downspinSession.id,
        sessionHash: _downspinSession.hash,
        client: new ControlClient(options),
        traffic: _downspinTraffic,
        statsTimeoutMs: options.statsTimeoutMs,
        step,
        controlUrl: options.controlUrl.origin,
        proxyOrigins: options.proxyOrigins,
      });
      await use(shaper);
      if (downspin.harOnFailure === true && testInfo.status !== testInfo.expectedStatus) {
        // Evidence for the bug report; a HAR that cannot be had is said in its place, never a second failure.
        const har = await shaper.har({ timeoutMs: 3000 }).then(
          (value) => ({ name: 'downspin-session.har', body: JSON.stringify(value, null, 2), contentType: 'application/json' }),
          (error: unknown) => ({ name: 'downspin-session.har.txt', body: String(error), contentType: 'text/plain' }),
        );
        await testInfo.attach(har.name, { body: har.body, contentType: har.contentType });
      }
      // A test that shaped nothing leaves nothing to undo (and creates no session record).
      if (shaper.changed) await shaper.reset();
    },
    { title: 'downspin session' },
  ],
});

/**
 * `@playwright/test`'s `test` with a fresh downspin session per test: the
 * browser context sends it to the proxy's origins only (`baseURL`, `proxyUrl`,
 * `sessionOrigins`), as the proxy's session cookie (no extension needed), or
 * in forward mode (`downspin: { forward: true }`) as the user name of the
 * context's browser proxy; the `shaper` fixture shapes it, and shaping is
 * reset to none after the test.
 * (Typed without the fixture's internal fixtures.)
 *
 * @example
 * import { test, expect } from '@downspin/playwright';
 *
 * test('cart survives slow 3g', async ({ page, shaper }) => {
 *   await shaper.apply('slow-3g');
 *   await page.goto('/');
 *   await shaper.timeline([{ atMs: 0, preset: 'offline' }, { atMs: 3000, preset: 'none' }]);
 *   expect((await shaper.stats()).requests).toBeGreaterThan(0);
 * });
 */
export const test: DownspinTestType = extended as unknown as DownspinTestType;

export { expect } from '@playwright/test';
