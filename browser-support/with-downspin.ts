import type { PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions, TestType } from '@playwright/test';
import type { DownspinFixtures, DownspinTestOptions, DownspinTestType } from '../playwright/src/index.js';
import { sharedDownspin, type DownspinServer } from './downspin-server.js';

/** The fixture's `test` plus the run's downspin as the worker fixture `downspinServer`. */
export type TestWithDownspin = TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & DownspinTestOptions & DownspinFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & { downspinServer: DownspinServer }
>;

/**
 * `test` (the fixture's, from source or from the built package) pointed at
 * the run's shared downspin: baseURL is its proxy (the bundled demo app
 * behind it) and the `downspin` option its control API. Type-only import
 * above: the caller passes its own `test`, so e2e uses the built package.
 */
export function withDownspin(base: DownspinTestType): TestWithDownspin {
  return base.extend<Record<never, never>, { downspinServer: DownspinServer }>({
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    downspinServer: [async ({}, use) => use(await sharedDownspin()), { scope: 'worker', timeout: 120_000, title: 'shared downspin' }],
    baseURL: async ({ downspinServer }, use) => use(downspinServer.proxyUrl),
    downspin: async ({ downspinServer }, use) => use({ controlUrl: downspinServer.controlUrl, apiKey: downspinServer.apiKey }),
  });
}
