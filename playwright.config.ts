import { defineConfig } from '@playwright/test';

/**
 * Browser tests in real Chromium (Debian's: Playwright cannot download its own
 * here). Each project is one folder's suite; they share these launch settings.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  // Two cores: each suite that measures time runs one file at a time (workers: 1 per
  // project); the fixture's own suite takes two, to prove parallel tests stay isolated.
  workers: 2,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]] : 'list',
  outputDir: 'test-results',
  use: {
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  // Jobs start in this order: the fixture's two parallel isolation tests go first,
  // so both find a free worker at once instead of one waiting out another suite.
  projects: [
    { name: 'playwright-fixture', outputDir: 'test-results/playwright-fixture', testDir: 'playwright/test', workers: 2 },
    { name: 'extension', outputDir: 'test-results/extension', testDir: 'extension/e2e', workers: 1 },
    // The Firefox build in Firefox ESR, driven over WebDriver BiDi (puppeteer-core), not Playwright's browsers.
    { name: 'extension-firefox', outputDir: 'test-results/extension-firefox', testDir: 'extension/e2e-firefox', workers: 1, timeout: 90_000 },
    { name: 'dashboard', outputDir: 'test-results/dashboard', testDir: 'dashboard/e2e', workers: 1 },
    { name: 'e2e', outputDir: 'test-results/e2e', testDir: 'e2e/tests', workers: 1 },
    // Real third-party apps from npm (Node-RED, json-server) behind their own `downspin start`.
    { name: 'real-apps', outputDir: 'test-results/real-apps', testDir: 'e2e/real-apps', workers: 1, timeout: 120_000 },
  ],
});
