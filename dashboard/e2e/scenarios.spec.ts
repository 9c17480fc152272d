import { randomBytes } from 'node:crypto';
import { test as fixtureTest, expect } from '@downspin/playwright';
import { HarSchema, SessionDetailResponseSchema, sessionHash } from '@downspin/protocol';
import { request, runDownspin } from '@downspin/testing';
import type { Page } from '@playwright/test';
import { withDownspin } from '../../browser-support/with-downspin.js';
import { cell, row } from './support/dashboard.js';

/*
 * A scenario made in the dashboard, then applied by name from a Playwright
 * test (the published fixture), from the CLI and from the dashboard's own
 * picker, against the run's `downspin start` (PGlite, memory telemetry).
 */
const test = withDownspin(fixtureTest);

/** The injected latency of the scenario's first step: a floor for a request's time. */
const STEP_ONE_MS = 300;

interface Server {
  controlUrl: string;
  proxyUrl: string;
  apiKey: string;
}

const api = (server: Server, path: string) => fetch(`${server.controlUrl}${path}`, { headers: { 'x-api-key': server.apiKey } });

async function signIn(page: Page, server: Server): Promise<void> {
  await page.goto(server.controlUrl);
  await page.getByLabel('Admin key').fill(server.apiKey);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await expect(page.locator('.badge.connection')).toHaveText('Live');
}

/** Makes the scenario in the editor: a timeline whose first step adds latency, the second (10 min later) goes offline. */
async function makeScenario(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await page.getByRole('button', { name: 'New scenario' }).click();
  const editor = page.getByRole('dialog', { name: 'New scenario' });
  await editor.getByLabel('Name').fill(name);
  await editor.getByLabel('Description').fill('payments slow, then gone');
  await editor.getByRole('radio', { name: 'A timeline' }).check();
  await editor.getByLabel('Step 1 from').selectOption('json');
  await editor.getByLabel('Step 1 profile (JSON)').fill(`{ "latency": { "ms": ${STEP_ONE_MS} } }`);
  await editor.getByLabel('Step 2 at (ms)').fill('600000');
  const axis = editor.getByRole('list', { name: 'Steps on a time axis' }).getByRole('listitem');
  await expect(axis).toHaveCount(2);
  await expect(axis.nth(1)).toContainText('+600 s');
  await expect(axis.nth(1)).toContainText('timeline step 2/2: offline');
  await editor.getByRole('button', { name: 'Save scenario' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Scenario ${name} saved as version 1.` })).toBeVisible();

  // Editing saves a new version: what the sessions below are shaped with.
  await page.getByRole('button', { name: `Edit scenario ${name}` }).click();
  await page.getByRole('dialog').getByLabel('Description').fill('payments slow (300 ms), then gone after 10 min');
  await page.getByRole('dialog').getByRole('button', { name: 'Save scenario' }).click();
  const listed = page.locator(`li[data-scenario="${name}"]`);
  await expect(listed).toContainText('version 2');
  await expect(listed.getByRole('list', { name: `Steps of ${name}` }).getByRole('listitem')).toHaveCount(2);
}

/** Waits for a request row of the session in telemetry, and answers its `shaping` label. */
async function telemetryLabel(server: Server, hash: string): Promise<string> {
  let label = '';
  await expect
    .poll(async () => {
      const rows = (await (await api(server, `/admin/analytics/export.json?hours=1&session=${hash}`)).json()) as { shaping: string }[];
      label = rows.find((r) => r.shaping !== '')?.shaping ?? '';
      return label;
    })
    .not.toBe('');
  return label;
}

/** The session's HAR, as the dashboard's HAR button and `shaper.har()` get it. */
async function harOf(server: Server, hash: string) {
  return HarSchema.parse(await (await api(server, `/admin/sessions/${hash}/har?hours=1`)).json());
}

async function historyHead(server: Server, hash: string) {
  return SessionDetailResponseSchema.parse(await (await api(server, `/admin/sessions/${hash}`)).json()).history[0];
}

test('a scenario made in the dashboard is applied by name from a test, the CLI and the picker, and named in history, telemetry and HAR', async ({
  page,
  shaper,
  downspinServer,
}) => {
  test.setTimeout(120_000);
  const server = downspinServer;
  const name = `checkout outage ${randomBytes(3).toString('hex')}`;
  const label = `scenario "${name}" v2: timeline step 1/2: latency ${STEP_ONE_MS} ms`;
  await signIn(page, server);
  await makeScenario(page, name);

  // From the Playwright fixture: a string that is not a preset is a scenario's name.
  const applied = await shaper.apply(name);
  expect(applied).toMatchObject({ mode: 'timeline', scenario: { name, version: 2 } });
  expect((await request(`${server.proxyUrl}/api/items`, { headers: shaper.headers })).ms).toBeGreaterThanOrEqual(STEP_ONE_MS);

  // From the CLI, on another session.
  const cliSession = `dash-scn-${randomBytes(6).toString('hex')}`;
  const cli = await runDownspin(['scenarios', 'apply', name, '--session', cliSession], {
    env: { CONTROL_URL: server.controlUrl, ADMIN_API_KEY: server.apiKey },
  });
  expect(cli.code, cli.output).toBe(0);
  expect(cli.stdout).toContain(`scenario "${name}" v2: timeline of 2 steps over 600000 ms`);
  expect((await request(`${server.proxyUrl}/api/items`, { headers: { 'x-downspin-session': cliSession } })).ms).toBeGreaterThanOrEqual(STEP_ONE_MS);

  // From the dashboard's picker, on a third session the grid shows.
  const pickedSession = `dash-scn-${randomBytes(6).toString('hex')}`;
  const pickedHash = await sessionHash(pickedSession);
  expect((await request(`${server.proxyUrl}/api/items`, { headers: { 'x-downspin-session': pickedSession } })).status).toBe(200);
  await page.getByRole('link', { name: 'Sessions' }).click();
  await page.getByRole('button', { name: `Profile for session ${pickedHash}` }).click();
  await page.getByRole('dialog').getByRole('radio', { name: 'Scenario' }).check();
  await page.getByRole('dialog').getByRole('combobox', { name: 'Scenario' }).selectOption(name);
  await expect(page.getByRole('dialog')).toContainText('payments slow (300 ms), then gone after 10 min');
  await page.getByRole('dialog').getByRole('button', { name: 'Apply scenario' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Session ${pickedHash} now runs scenario "${name}"` })).toBeVisible();
  expect((await request(`${server.proxyUrl}/api/items`, { headers: { 'x-downspin-session': pickedSession } })).ms).toBeGreaterThanOrEqual(STEP_ONE_MS);

  // Each session names the scenario and its version: in the grid, in its history, in telemetry, in its HAR.
  for (const hash of [shaper.sessionHash, await sessionHash(cliSession), pickedHash]) {
    await expect(row(page, hash)).toBeVisible();
    await expect(cell(page, hash, 'Shaping')).toContainText(`scenario "${name}" v2`);
    expect(await historyHead(server, hash)).toMatchObject({ kind: 'scenario', body: { name, version: 2 } });
    expect(await telemetryLabel(server, hash)).toBe(label);
    const har = await harOf(server, hash);
    expect(har.log.entries.some((entry) => entry.comment.endsWith(`: ${label}`) && entry.timings.blocked === STEP_ONE_MS)).toBe(true);
    expect(har.log.comment).toContain(`scenario: {"name":${JSON.stringify(name)},"version":2}`);
  }
});
