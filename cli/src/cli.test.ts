import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, json, request, runDownspin, startDownspin, type RunningDownspin } from '@downspin/testing';

// These tests run the built command (npm test builds first), as a user would.

describe('downspin start (embedded defaults)', () => {
  let app: RunningDownspin;
  beforeAll(async () => {
    // A new data dir: initdb (WebAssembly) in a child process, then the store worker opens it; tens of s on a busy machine.
    app = await startDownspin({ timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await app?.dispose();
  });

  it('puts the proxy in front of the demo app and throttles one session through the control API', async () => {
    const get = (session: string) => request(`${app.proxyUrl}/api/items`, { headers: { 'x-downspin-session': session } });
    const fast = await get('s1');
    expect(fast.status).toBe(200);
    expect(json<{ items: unknown[] }>(fast).items.length).toBeGreaterThan(0);

    const res = await request(`${app.controlUrl}/admin/sessions/s1/downspin`, {
      method: 'POST',
      headers: { 'x-api-key': app.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ latency_ms: 300 }),
    });
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ applied: { acknowledged: true, pending: [] } });

    const slow = await get('s1');
    expect(slow.ms).toBeGreaterThanOrEqual(298);
    const other = await get('s2');
    expect(other.ms).toBeLessThan(200);
  });

  it('records every proxied request for the analytics', async () => {
    for (let i = 0; i < 5; i++) await request(`${app.proxyUrl}/api/items/${i + 1}`, { headers: { 'x-downspin-session': 'analytics-1' } });
    await eventually(async () => {
      const res = await request(`${app.controlUrl}/admin/analytics?hours=1&session=analytics-1`, { headers: { 'x-api-key': app.adminKey } });
      expect(res.status).toBe(200);
      expect(json<{ requests: number }>(res).requests).toBe(5);
    });
    const endpoints = await request(`${app.controlUrl}/admin/analytics/endpoints?hours=1&session=analytics-1`, {
      headers: { 'x-api-key': app.adminKey },
    });
    expect(JSON.stringify(json(endpoints))).toContain('/api/items/:id');
  });

  it('keeps the admin key it made in the data dir', async () => {
    expect((await readFile(path.join(app.dataDir, 'admin-key'), 'utf8')).trim()).toBe(app.adminKey);
  });

  it('remembers shaping across a restart', async () => {
    await request(`${app.controlUrl}/admin/sessions/restart-1/downspin`, {
      method: 'POST',
      headers: { 'x-api-key': app.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ latency_ms: 250 }),
    });
    expect(await app.stop()).toBe(0);
    await app.restart();
    const res = await request(`${app.proxyUrl}/api/items`, { headers: { 'x-downspin-session': 'restart-1' } });
    expect(res.ms).toBeGreaterThanOrEqual(248);
  });
});

describe('bad configuration', () => {
  it('names a bad flag in one line and exits non-zero', async () => {
    const result = await runDownspin(['start', '--port', 'abc']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^downspin: bad setting: --port="abc"/);
  });

  it('names a bad environment variable', async () => {
    const result = await runDownspin(['start'], { env: { TARGET_URL: 'ftp://example' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TARGET_URL="ftp:\/\/example": expected a http or https URL/);
  });

  it('fails fast on an unreachable Redis', async () => {
    const result = await runDownspin(['start', '--port', '0', '--control-port', '0'], { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^downspin: cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unmigrated database until `downspin migrate` ran', async () => {
    const database = `downspin_test_${inject('runId')}_cli`;
    const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(inject('postgresAdminUrl'));
    url.pathname = `/${database}`;
    const env = { DATABASE_URL: url.toString(), REDIS_URL: inject('redisUrl') };

    const refused = await runDownspin(['control', '--control-port', '0'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not migrated.*run `downspin migrate`/);

    const migrated = await runDownspin(['migrate'], { env });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/applied 0001_sessions\.sql/);
    expect((await runDownspin(['migrate'], { env })).stdout).toMatch(/up to date/);
  });
});
