import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page } from '@playwright/test';
import { request, type TimedResponse } from '@downspin/testing';
import type { Stack } from './stacks.js';

/** Screenshots for reviewers (`artifacts/` is git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

export const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** One request through a proxy as session `id`, on a fresh connection, timed. */
export function viaProxy(proxyUrl: string, id: string, path = '/', userAgent = CHROME_UA): Promise<TimedResponse> {
  return request(`${proxyUrl}${path}`, { headers: { 'x-downspin-session': id, 'user-agent': userAgent } });
}

/** A call to the control API with the key (test setup and checks from the outside). */
export async function api(stack: Stack, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.controlUrl}${path}`, {
    method,
    headers: { 'x-api-key': stack.adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Opens the dashboard, pastes the key, and waits for the live channel. */
export async function signIn(page: Page, stack: Stack): Promise<void> {
  await page.goto(stack.controlUrl);
  await page.getByLabel('Admin key').fill(stack.adminKey);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
  await expect(page.locator('.badge.connection')).toHaveText('Live');
}

export function row(page: Page, hash: string): Locator {
  return page.locator(`tr[data-session="${hash}"]`);
}

/** The grid's cell under a column header. */
export function cell(page: Page, hash: string, column: 'Browser' | 'Country' | 'Requests' | 'Risk' | 'Shaping'): Locator {
  const index = { Browser: 0, Country: 1, Requests: 2, Risk: 4, Shaping: 5 }[column];
  return row(page, hash).locator('td').nth(index);
}
