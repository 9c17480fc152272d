import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Fixtures } from '@playwright/test';
import type { RequestRow } from '@downspin/protocol';
import { LocalCa } from '@downspin/proxy';
import { startDownspin, type RunningDownspin } from '@downspin/testing';
import { START_TIMEOUT_MS } from './test.js';
import { API_HOST, APP_HOST, startTwoOriginApp, type TwoOriginApp } from './two-origins.js';

/** `downspin start` in forward mode for the two-origin app, and the SPKI hash of its CA. */
export interface ForwardDownspin {
  server: RunningDownspin;
  /** What `downspin ca` prints as spki-sha256: the browser trusts the proxy's certificates by it. */
  caSpki: string;
  dispose(): Promise<void>;
}

/**
 * Starts downspin intercepting the app's two hosts, reaching them through
 * `--resolve` (never the system resolver) and trusting their own CA with
 * `--upstream-ca`. The proxy's CA is made in the data dir first, so the
 * test knows its SPKI hash before Chromium launches; the proxy then loads
 * that same CA.
 */
export async function startForwardDownspin(app: TwoOriginApp, options: { requireProxyAuth: boolean; timeoutMs: number }): Promise<ForwardDownspin> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-forward-'));
  const ca = await LocalCa.open(dataDir);
  const args = ['--intercept', `${APP_HOST},${API_HOST}`, '--upstream-ca', app.caFile, ...app.resolve.flatMap((entry) => ['--resolve', entry])];
  if (options.requireProxyAuth) args.push('--require-proxy-auth');
  const server = await startDownspin({ dataDir, args, watchdog: true, timeoutMs: options.timeoutMs });
  return {
    server,
    caSpki: ca.info.spkiSha256,
    async dispose() {
      await server.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The worker fixtures of the forward-mode specs: the two-origin app, and downspin in forward mode in front of it. */
export interface ForwardWorkers {
  twoOrigins: TwoOriginApp;
  forward: ForwardDownspin;
}

/** One of each per worker; `requireProxyAuth` off when the extension's header, inside the tunnel, is the session. */
export function forwardWorkerFixtures(options: { requireProxyAuth: boolean }): Fixtures<Record<never, never>, ForwardWorkers> {
  return {
    twoOrigins: [
      // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
      async ({}, use) => {
        const app = await startTwoOriginApp();
        await use(app);
        await app.close();
      },
      { scope: 'worker', title: 'app.downspin.test + api.downspin.test' },
    ],
    forward: [
      async ({ twoOrigins }, use) => {
        const forward = await startForwardDownspin(twoOrigins, { requireProxyAuth: options.requireProxyAuth, timeoutMs: START_TIMEOUT_MS });
        await use(forward);
        await forward.dispose();
      },
      { scope: 'worker', timeout: START_TIMEOUT_MS + 30_000, title: 'downspin start (forward mode)' },
    ],
  };
}

/** The telemetry rows of a session (by hash), as the control API answers them. */
export async function sessionRows(server: RunningDownspin, hash: string): Promise<RequestRow[]> {
  const res = await fetch(`${server.controlUrl}/admin/analytics/sessions/${hash}?hours=1&limit=500`, { headers: { 'x-api-key': server.adminKey } });
  if (!res.ok) return [];
  return ((await res.json()) as { requests: RequestRow[] }).requests;
}

/** The session's endpoints by host and route, as the analytics API groups them. */
export async function sessionEndpoints(server: RunningDownspin, hash: string): Promise<{ host: string; route: string; requests: number }[]> {
  const res = await fetch(`${server.controlUrl}/admin/analytics/endpoints?hours=1&session=${hash}`, { headers: { 'x-api-key': server.adminKey } });
  return res.ok ? ((await res.json()) as { endpoints: { host: string; route: string; requests: number }[] }).endpoints : [];
}

/** The host name of a Host header (`api.downspin.test:41234` → `api.downspin.test`). */
export const hostName = (host: string): string => host.replace(/:\d+$/, '');
