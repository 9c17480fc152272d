import { test as base, expect } from '@playwright/test';
import { builtFirefoxExtension } from '../../../browser-support/built-extension.js';
import { startExtensionDownspin, type Downspin } from '../../e2e/support/downspin.js';
import { startRecorder, type Recorder } from '../../e2e/support/recorder.js';
import { launchFirefoxWithExtension, type FirefoxExtension } from './firefox.js';

interface TestFixtures {
  firefox: FirefoxExtension;
}

interface WorkerFixtures {
  firefoxBuild: string;
  downspin: Downspin;
  recorder: Recorder;
}

/**
 * Real Firefox ESR with the built Firefox extension, a real `downspin start`
 * per worker and a recording origin (the Chromium suite's, shared); every
 * test gets a fresh browser and profile.
 */
export const test = base.extend<TestFixtures, WorkerFixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  firefoxBuild: [async ({}, use) => use(builtFirefoxExtension()), { scope: 'worker', timeout: 300_000 }],
  downspin: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      // Generous: its embedded database starts slowly on a busy 2-core machine (30-45 s seen next to other suites).
      const downspin = await startExtensionDownspin(90_000);
      await use(downspin);
      await downspin.dispose();
    },
    { scope: 'worker', timeout: 120_000 },
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
  firefox: [
    async ({ firefoxBuild, recorder }, use) => {
      recorder.reset();
      const firefox = await launchFirefoxWithExtension(firefoxBuild);
      await use(firefox);
      await firefox.close();
    },
    { timeout: 60_000 },
  ],
});

export { expect };
