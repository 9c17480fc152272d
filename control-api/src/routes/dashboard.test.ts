import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startHarness, type Harness } from '../test-support/harness.js';
import { isClientRoute } from './dashboard.js';

const INDEX = '<!doctype html><title>downspin</title><div id="root"></div><script type="module" src="/assets/index-Ab12Cd34.js"></script>';
const SCRIPT = 'console.log("dashboard")';
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

let store: SessionStore;
let dir: string;
let h: Harness;
beforeAll(async () => {
  store = await createPgliteStore();
  dir = await mkdtemp(path.join(tmpdir(), 'downspin-dashboard-route-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), INDEX);
  await writeFile(path.join(dir, 'assets', 'index-Ab12Cd34.js'), SCRIPT);
  await writeFile(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  h = await startHarness(store, { dashboardDir: dir });
});
afterAll(async () => {
  await h.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the dashboard at /', () => {
  it('serves index.html at / with no-cache and a policy that forbids framing', async () => {
    const res = await h.app.request('/', { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.text()).toBe(INDEX);
  });

  it('serves hashed assets as immutable for a year, other files revalidated', async () => {
    const script = await h.app.request('/assets/index-Ab12Cd34.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe(SCRIPT);
    const icon = await h.app.request('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers client routes with index.html, so a reload of /analytics opens the app', async () => {
    for (const route of ['/analytics', '/sessions/abc', '/analytics/']) {
      const res = await h.app.request(route, { headers: html });
      expect(res.status, route).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX);
    }
  });

  it('never answers the API paths with the page: unknown ones stay JSON errors', async () => {
    const withKey = { ...html, 'x-api-key': ADMIN_KEY };
    for (const route of ['/admin/nope', '/ws/nope', '/health/x', '/metrics/x', '/openapi.json/x', '/events/x', '/admin']) {
      const res = await h.app.request(route, { headers: withKey });
      expect(res.status, route).toBe(404);
      expect(res.headers.get('content-type'), route).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    // The real routes still answer as before.
    expect((await h.app.request('/openapi.json', { headers: html })).headers.get('content-type')).toMatch(/json/);
    expect((await h.app.request('/admin/sessions', { headers: html })).status).toBe(401);
  });

  it('keeps a missing asset or file a 404, not HTML', async () => {
    for (const route of ['/assets/gone-12345678.js', '/robots.txt']) {
      const res = await h.app.request(route, { headers: html });
      expect(res.status, route).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('refuses to leave its directory', async () => {
    for (const route of ['/../package.json', '/assets/..%2F..%2Fpackage.json', '/%2e%2e/package.json']) {
      const res = await h.app.request(route, { headers: html });
      expect(await res.text(), route).not.toContain('"name"');
    }
  });

  it('says the dashboard is not built when its directory has no index.html', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'downspin-dashboard-empty-'));
    const other = await startHarness(store, { dashboardDir: empty });
    const res = await other.app.request('/', { headers: html });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: expect.stringMatching(/not built/) } });
    await other.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('serves nothing at / without a dashboardDir', async () => {
    const other = await startHarness(store);
    expect((await other.app.request('/', { headers: html })).status).toBe(404);
    await other.close();
  });
});

describe('isClientRoute', () => {
  it('takes app paths and leaves files, assets and the API alone', () => {
    expect(['/', '/analytics', '/sessions/0a1b2c3d4e5f'].every(isClientRoute)).toBe(true);
    expect(['/assets/x', '/favicon.svg', '/admin/x', '/ws/dashboard', '/health', '/metrics', '/openapi.json', '/events'].some(isClientRoute)).toBe(false);
  });
});

describe('the dashboard never serves files outside its build (forward mode keeps a CA private key in the data dir)', () => {
  it('answers traversal paths to a CA key beside the dashboard without its bytes', async () => {
    const data = `${dir}-data`;
    const marker = 'PRIVATE-KEY-MARKER-never-served';
    await mkdir(path.join(data, 'ca'), { recursive: true });
    await writeFile(path.join(data, 'ca', 'downspin-ca-key.pem'), `-----BEGIN PRIVATE KEY-----\n${marker}\n-----END PRIVATE KEY-----\n`);
    try {
      const name = path.basename(data);
      const attempts = [
        `/../${name}/ca/downspin-ca-key.pem`,
        `/%2e%2e/${name}/ca/downspin-ca-key.pem`,
        `/..%2f${name}%2fca%2fdownspin-ca-key.pem`,
        `/assets/..%2f..%2f${name}%2fca%2fdownspin-ca-key.pem`,
        `/assets/%2e%2e/%2e%2e/${name}/ca/downspin-ca-key.pem`,
        `/ca/downspin-ca-key.pem`,
      ];
      for (const attempt of attempts) {
        const res = await h.app.request(attempt, { headers: html });
        expect(await res.text(), attempt).not.toContain(marker);
      }
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});
