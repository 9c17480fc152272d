import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, type Page } from '@playwright/test';
import { DEFAULT_DOWNSPIN_LATENCY_MS, sessionHash } from '@downspin/protocol';
import { eventually } from '@downspin/testing';
import { api, cell, median, row, screenshot, signIn, viaProxy } from './dashboard.js';
import type { Stack } from './stacks.js';

/*
 * What a user does with the dashboard, run against each stack (embedded
 * default and scale-out): every check is on the page, or on real requests
 * through the proxies.
 */

/** How soon a new session must be in the grid (proxy activity reports every 0.5 s, the activity flush 0.25 s, then a push at once). */
export const GRID_DEADLINE_MS = 2000;
/** Added to timing bounds for a busy 2-core machine. */
const SLACK_MS = 1000;

export const newSessionId = (tag: string) => `dash-${tag}-${randomBytes(6).toString('hex')}`;

export async function wrongKeyIsNamed(page: Page, stack: Stack): Promise<void> {
  await page.goto(stack.controlUrl);
  await page.getByLabel('Admin key').fill('this-is-not-the-admin-key');
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await expect(page.getByRole('alert')).toContainText('The admin key was not accepted');
  await expect(page.getByLabel('Admin key')).toHaveAttribute('aria-invalid', 'true');
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  // The right key then opens the dashboard, and a reload keeps it (sessionStorage).
  await page.getByLabel('Admin key').fill(stack.adminKey);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await expect(page.locator('.badge.connection')).toHaveText('Live');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sessions' })).toBeVisible();
}

/** Traffic makes a row within the deadline; its counters move without a reload; Downspin costs the next request 2 s; Upspin removes it. */
export async function liveGridDownspinAndUpspin(page: Page, stack: Stack): Promise<number> {
  await signIn(page, stack);
  const id = newSessionId('grid');
  const hash = await sessionHash(id);
  const [first, last] = [stack.proxyUrls[0]!, stack.proxyUrls.at(-1)!];

  const sent = Date.now();
  expect((await viaProxy(first, id)).status).toBe(200);
  await expect(row(page, hash)).toBeVisible({ timeout: GRID_DEADLINE_MS + SLACK_MS });
  const appearedMs = Date.now() - sent;
  await expect(cell(page, hash, 'Browser')).toHaveText('Chrome');
  await expect(cell(page, hash, 'Country')).toHaveText('Loopback');

  // Live: more requests (through the other proxy too) move the counter, no reload.
  const baseline = median([(await viaProxy(last, id)).ms, (await viaProxy(last, id)).ms, (await viaProxy(first, id)).ms]);
  await expect(cell(page, hash, 'Requests')).toHaveText('4');

  await page.getByRole('button', { name: `Downspin session ${hash}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Session ${hash} is downspun` })).toBeVisible();
  await expect(cell(page, hash, 'Shaping')).toContainText('Downspin');
  await expect(cell(page, hash, 'Shaping')).toContainText(`latency ${DEFAULT_DOWNSPIN_LATENCY_MS} ms`);
  const slow = await viaProxy(last, id);
  expect(slow.status).toBe(200);
  // The added latency is counted from the request's arrival: the request takes at least that.
  expect(slow.ms).toBeGreaterThanOrEqual(DEFAULT_DOWNSPIN_LATENCY_MS - 2);
  expect(slow.ms - baseline).toBeLessThan(DEFAULT_DOWNSPIN_LATENCY_MS + SLACK_MS);

  await page.getByRole('button', { name: `Upspin session ${hash}` }).click();
  await expect(cell(page, hash, 'Shaping')).toContainText('Upspin');
  const fast = await viaProxy(first, id);
  expect(fast.ms).toBeLessThan(baseline + SLACK_MS / 2);

  // The row's HAR button saves what the network did: the downspun request's entry has the 2 s as blocked time.
  type Entry = { timings: { blocked: number }; comment: string };
  const harOf = async () => ((await (await api(stack, 'GET', `/admin/sessions/${hash}/har?hours=1`)).json()) as { log: { entries: Entry[] } }).log.entries;
  // Telemetry reaches the store in batches: wait until the API has all six requests.
  await expect.poll(async () => (await harOf()).length, { timeout: 15_000 }).toBe(6);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Export HAR of session ${hash}` }).click()]);
  expect(download.suggestedFilename()).toBe(`downspin-${hash}.har`);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8')) as { log: { version: string; entries: Entry[] } };
  expect(saved.log.version).toBe('1.2');
  const downspun = saved.log.entries.filter((entry) => entry.timings.blocked === DEFAULT_DOWNSPIN_LATENCY_MS);
  expect(downspun).toHaveLength(1);
  expect(downspun[0]!.comment).toContain(`latency ${DEFAULT_DOWNSPIN_LATENCY_MS} ms`);

  await sessionDrillDown(page, hash);
  return appearedMs;
}

/**
 * The session's hash opens its drill-down at /sessions/<hash> (a reload keeps it):
 * the downspun request's bar says the injected 2 s, the history lists the downspin, and a link goes back.
 */
async function sessionDrillDown(page: Page, hash: string): Promise<void> {
  await page.getByRole('link', { name: `Open session ${hash}` }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${hash}$`));
  const check = async () => {
    await expect(page.getByRole('heading', { name: `Session ${hash}` })).toBeVisible();
    const requests = page.getByRole('region', { name: 'Requests', exact: true });
    await expect(requests.getByRole('row')).toHaveCount(7); // a header and the six requests
    await expect(requests.getByRole('img', { name: new RegExp(`^injected ${DEFAULT_DOWNSPIN_LATENCY_MS} ms, upstream \\d+ ms, transfer \\d+ ms$`) })).toHaveCount(1);
    const history = page.getByRole('list', { name: 'Shaping history, newest first' });
    await expect(history.getByRole('listitem')).toHaveCount(2);
    await expect(history.getByRole('listitem').nth(0)).toContainText('upspin');
    await expect(history.getByRole('listitem').nth(1)).toContainText(`downspin: latency ${DEFAULT_DOWNSPIN_LATENCY_MS} ms`);
    await expect(page.getByLabel(/^Session figures of/).locator('div', { hasText: /^Requests/ }).locator('dd')).toHaveText('6');
  };
  await check();
  await page.reload();
  await check();
  await page.getByRole('link', { name: '← All sessions' }).click();
  await expect(row(page, hash)).toBeVisible();
}

/** Makes a session the risk score calls high: curl, no consent, and 20+ rate-limit violations. */
async function makeRiskySession(stack: Stack, id: string): Promise<void> {
  const limited = await api(stack, 'PUT', `/admin/sessions/${id}/profile`, { profile: { rateLimit: { rps: 1, burst: 1 } } });
  expect(limited.status).toBe(200);
  const statuses = [];
  for (let i = 0; i < 30; i++) statuses.push((await viaProxy(stack.proxyUrls[i % stack.proxyUrls.length]!, id, '/', 'curl/8.4.0')).status);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(22);
}

export async function filtersWork(page: Page, stack: Stack, screenshotName: string): Promise<void> {
  const calm = newSessionId('calm');
  const throttled = newSessionId('slow');
  const risky = newSessionId('risky');
  const calmHash = await sessionHash(calm);
  const throttledHash = await sessionHash(throttled);
  const riskyHash = await sessionHash(risky);
  await viaProxy(stack.proxyUrls[0]!, calm);
  await viaProxy(stack.proxyUrls[0]!, throttled);
  expect((await api(stack, 'POST', `/admin/sessions/${throttled}/downspin`, { latency_ms: 300 })).status).toBe(200);
  await makeRiskySession(stack, risky);

  await signIn(page, stack);
  for (const hash of [calmHash, throttledHash, riskyHash]) await expect(row(page, hash)).toBeVisible();
  await expect(cell(page, riskyHash, 'Risk')).toHaveText(/^(7\d|8\d|9\d|100)$/);

  const filter = (name: string) => page.getByRole('group', { name: 'Filter sessions' }).getByRole('button', { name: new RegExp(`^${name}`) });
  await filter('High risk').click();
  await expect(filter('High risk')).toHaveAttribute('aria-pressed', 'true');
  await expect(row(page, riskyHash)).toBeVisible();
  await expect(row(page, calmHash)).toHaveCount(0);
  await expect(row(page, throttledHash)).toHaveCount(0);

  await filter('Throttled').click();
  await expect(row(page, throttledHash)).toBeVisible();
  await expect(row(page, calmHash)).toHaveCount(0);

  await filter('All').click();
  for (const hash of [calmHash, throttledHash, riskyHash]) await expect(row(page, hash)).toBeVisible();
  await screenshot(page, screenshotName);
}

export async function terminateAsksThenBlocks(page: Page, stack: Stack): Promise<void> {
  await signIn(page, stack);
  const id = newSessionId('end');
  const hash = await sessionHash(id);
  expect((await viaProxy(stack.proxyUrls[0]!, id)).status).toBe(200);
  await expect(row(page, hash)).toBeVisible();

  const open = () => page.getByRole('button', { name: `Terminate session ${hash}` }).click();
  const dialog = page.getByRole('dialog', { name: `Terminate session ${hash}?` });
  await open();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  expect((await viaProxy(stack.proxyUrls.at(-1)!, id)).status).toBe(200);

  await open();
  await dialog.getByLabel(/Reason/).fill('dashboard e2e');
  await dialog.getByRole('button', { name: 'Terminate session' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(cell(page, hash, 'Shaping')).toContainText('Terminated');
  for (const proxy of stack.proxyUrls) expect((await viaProxy(proxy, id)).status).toBe(403);
}

export async function profileAndNotify(page: Page, stack: Stack): Promise<void> {
  await signIn(page, stack);
  const id = newSessionId('profile');
  const hash = await sessionHash(id);
  await viaProxy(stack.proxyUrls[0]!, id);
  await expect(row(page, hash)).toBeVisible();

  await page.getByRole('button', { name: `Profile for session ${hash}` }).click();
  const dialog = page.getByRole('dialog', { name: `Shaping profile for session ${hash}` });
  // A bad custom value is named before anything is sent.
  await dialog.getByLabel('Custom').check();
  await dialog.getByLabel('Latency (ms)').fill('-5');
  await dialog.getByRole('button', { name: 'Apply profile' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Latency:');
  await dialog.getByLabel('JSON').check();
  await dialog.getByLabel(/Profile \(JSON/).fill('{ "latency": { "ms": 100 }, "nope": 1 }');
  await dialog.getByRole('button', { name: 'Apply profile' }).click();
  await expect(dialog.getByRole('alert')).toContainText('nope');
  await expect(cell(page, hash, 'Shaping')).toContainText('Normal');
  // A preset applies.
  await dialog.getByLabel('Preset', { exact: true }).check();
  await dialog.getByRole('combobox', { name: 'Preset' }).selectOption('slow-3g');
  await dialog.getByRole('button', { name: 'Apply profile' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(cell(page, hash, 'Shaping')).toContainText('slow-3g');
  const shaped = await viaProxy(stack.proxyUrls[0]!, id);
  expect(shaped.ms).toBeGreaterThanOrEqual(1980);

  // Notify: an empty message is refused in words; a message is sent.
  await page.getByRole('button', { name: `Notify session ${hash}` }).click();
  const notify = page.getByRole('dialog', { name: `Notify session ${hash}` });
  await notify.getByRole('button', { name: 'Send message' }).click();
  await expect(notify.getByRole('alert')).toContainText('message');
  await notify.getByLabel('Message').fill('Your session is being looked at');
  await notify.getByRole('button', { name: 'Send message' }).click();
  await expect(notify).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `Message sent to session ${hash}` })).toBeVisible();
}

/** CSV text as data lines (header apart), in order. */
const csvLines = (text: string) => text.split('\r\n').filter((line) => line !== '');

export async function analyticsAndExport(page: Page, stack: Stack, screenshotName: string): Promise<void> {
  const id = newSessionId('stats');
  for (const path of ['/', '/api/items', '/status/503', '/bytes/20000']) {
    for (const proxy of stack.proxyUrls) await viaProxy(proxy, id, path);
  }
  // Telemetry is written in batches: wait until the rows of this session are all readable.
  const exported = async () => (await api(stack, 'GET', '/admin/analytics/export.csv?hours=1')).text();
  const hash = await sessionHash(id);
  await eventually(async () => {
    const rows = csvLines(await exported()).filter((line) => line.includes(hash));
    expect(rows.length).toBe(4 * stack.proxyUrls.length);
  }, 30_000, 200);

  await signIn(page, stack);
  await page.getByRole('link', { name: 'Analytics' }).click();
  await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '1h' }).click();
  await expect(page).toHaveURL(/\/analytics\?range=1h$/);

  const figure = (name: string) => page.getByRole('figure', { name });
  await expect(figure('Request rate').locator('path.recharts-area-area')).toHaveAttribute('d', /\d/);
  await expect(figure('Latency').locator('.recharts-line-dot').first()).toBeVisible();
  expect(await figure('Status codes').locator('.recharts-bar-rectangle path').count()).toBeGreaterThan(0);
  await expect(figure('Bandwidth').locator('path.recharts-area-area').first()).toHaveAttribute('d', /\d/);
  const endpoints = page.getByRole('table', { name: 'Top endpoints by requests' });
  // One row per proxy: the host (each proxy's own address in reverse mode) keeps them apart.
  for (const proxy of stack.proxyUrls) await expect(endpoints.getByRole('row', { name: `GET ${new URL(proxy).host}/api/items` })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Sessions and requests by country' }).getByRole('row', { name: /Loopback/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /World map of sessions/ })).toBeVisible();
  const overview = (await (await api(stack, 'GET', '/admin/analytics?hours=1')).json()) as { requests: number };
  await expect(page.getByLabel('Overview of the last hour').getByText(new Intl.NumberFormat('en').format(overview.requests), { exact: true })).toBeVisible();
  await screenshot(page, screenshotName);

  const save = async (label: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
    return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
  };
  const csv = await save('Export CSV');
  const fromApi = await exported();
  expect(csv.name).toMatch(/^downspin-requests-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv$/);
  expect(csvLines(csv.text)[0]).toBe(csvLines(fromApi)[0]);
  expect(csvLines(csv.text).slice(1)).toEqual(csvLines(fromApi).slice(1));
  expect(csvLines(csv.text).length).toBeGreaterThan(4 * stack.proxyUrls.length);

  const json = await save('Export JSON');
  const jsonFromApi = (await (await api(stack, 'GET', '/admin/analytics/export.json?hours=1')).json()) as unknown[];
  expect(json.name).toMatch(/\.json$/);
  expect(JSON.parse(json.text)).toEqual(jsonFromApi);
}

export async function disconnectedThenRecovers(page: Page, stack: Stack): Promise<void> {
  await signIn(page, stack);
  const banner = page.getByRole('alert').filter({ hasText: 'Disconnected from the control API' });
  const restart = await stack.killControl();
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('.badge.connection')).toHaveText(/Disconnected|Reconnecting/);
  // Still down a moment later: the page keeps saying so (no blank screen, no stale "Live").
  await page.waitForTimeout(1500);
  await expect(banner).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sessions' })).toBeVisible();

  await restart();
  await expect(banner).toBeHidden({ timeout: 20_000 });
  await expect(page.locator('.badge.connection')).toHaveText('Live');
  // Live again: new traffic shows up without a reload.
  const id = newSessionId('back');
  await viaProxy(stack.proxyUrls[0]!, id);
  await expect(row(page, await sessionHash(id))).toBeVisible();
}
