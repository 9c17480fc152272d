import { test as base, type DownspinTestOptions } from '@downspin/playwright';
import { startDownspin, type RunningDownspin } from '@downspin/testing';
import { startJsonApi, type JsonApi } from './json-api.js';
import { startNodeRed, type NodeRed } from './node-red.js';

/** How long Node-RED or downspin may take to come up. */
export const START_TIMEOUT_MS = 120_000;

/** Violations that ban a session here (50 by default): a ban in a few requests. */
export const MAX_VIOLATIONS = 3;

interface RealApps {
  nodeRed: NodeRed;
  /** `downspin start --target <Node-RED>`: the fixture's baseURL is its proxy. */
  server: RunningDownspin;
}

/**
 * Sessions go to these origins besides baseURL/proxyUrl (CONTRACT of issue
 * 11, item 5: the fixture's `downspin.sessionOrigins`). None here: the API
 * is a third party and must never see the header.
 */
export const SESSION_ORIGINS: string[] = [];

/**
 * The published fixture (`@downspin/playwright`) in front of a real app this
 * project did not write: Node-RED behind `downspin start --target`, one per
 * worker, and json-server as a third-party API on another origin (`api`),
 * which lets only the proxy's origin in.
 */
export const test = base.extend<{ api: JsonApi }, RealApps>({
  nodeRed: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const nodeRed = await startNodeRed(START_TIMEOUT_MS);
      await use(nodeRed);
      await nodeRed.stop();
    },
    { scope: 'worker', timeout: START_TIMEOUT_MS + 30_000, title: 'Node-RED' },
  ],
  server: [
    async ({ nodeRed }, use) => {
      const server = await startDownspin({
        args: ['--target', nodeRed.url],
        env: { ABUSE_MAX_VIOLATIONS: String(MAX_VIOLATIONS) },
        watchdog: true,
        // A first start on a busy 2-core machine can take most of a minute.
        timeoutMs: START_TIMEOUT_MS,
      });
      await use(server);
      await server.dispose();
    },
    { scope: 'worker', timeout: START_TIMEOUT_MS + 30_000, title: 'downspin start --target Node-RED' },
  ],
  api: async ({ server }, use) => {
    const api = await startJsonApi(new URL(server.proxyUrl).origin);
    await use(api);
    await api.close();
  },
  baseURL: async ({ server }, use) => use(server.proxyUrl),
  downspin: async ({ server }, use) => {
    // A variable, not a literal: `sessionOrigins` is typed on the branch that adds it.
    const options: DownspinTestOptions['downspin'] & { sessionOrigins: string[] } = {
      controlUrl: server.controlUrl,
      apiKey: server.adminKey,
      sessionOrigins: SESSION_ORIGINS,
    };
    await use(options);
  },
});

export { expect } from '@downspin/playwright';
