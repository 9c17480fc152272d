import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { json, request } from '@downspin/testing';

// These tests run the built command (npm test builds first), as a user would.
const BIN = fileURLToPath(new URL('../bin/downspin.js', import.meta.url));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function run(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Started {
  child: ChildProcess;
  proxyUrl: string;
  controlUrl: string;
  adminKey: string;
  stop(): Promise<number | null>;
}

/** Starts `downspin start` and reads the URLs and key from its banner. */
function start(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--control-port', '0', '--data-dir', dataDir], {
      env: { ...process.env, LOG_LEVEL: 'warn', ADMIN_API_KEY: '', ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`downspin start did not come up: ${stdout} ${stderr}`)), 20_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const proxy = /proxy +(http:\/\/\S+)/.exec(stdout);
      const control = /dashboard +(http:\/\/\S+)/.exec(stdout);
      const key = /admin key +(\S+)/.exec(stdout);
      if (proxy && control && key) {
        clearTimeout(timer);
        resolve({
          child,
          proxyUrl: proxy[1]!,
          controlUrl: control[1]!,
          adminKey: key[1]!,
          stop: () =>
            new Promise((done) => {
              child.once('close', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('close', (code) => reject(new Error(`downspin start exited ${code}: ${stderr}`)));
  });
}

describe('downspin start (embedded defaults)', () => {
  let dataDir: string;
  let app: Started;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-cli-'));
    app = await start(dataDir);
  });
  afterAll(async () => {
    await app?.stop();
    await rm(dataDir, { recursive: true, force: true });
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
    expect((await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim()).toBe(app.adminKey);
  });

  it('remembers shaping across a restart', async () => {
    await request(`${app.controlUrl}/admin/sessions/restart-1/downspin`, {
      method: 'POST',
      headers: { 'x-api-key': app.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ latency_ms: 250 }),
    });
    expect(await app.stop()).toBe(0);
    app = await start(dataDir);
    const res = await request(`${app.proxyUrl}/api/items`, { headers: { 'x-downspin-session': 'restart-1' } });
    expect(res.ms).toBeGreaterThanOrEqual(248);
  });
});

describe('bad configuration', () => {
  it('names a bad flag in one line and exits non-zero', async () => {
    const result = await run(['start', '--port', 'abc']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^downspin: bad setting: --port="abc"/);
  });

  it('names a bad environment variable', async () => {
    const result = await run(['start'], { TARGET_URL: 'ftp://example' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TARGET_URL="ftp:\/\/example": expected a http or https URL/);
  });

  it('fails fast on an unreachable Redis', async () => {
    const result = await run(['start', '--port', '0', '--control-port', '0'], { REDIS_URL: 'redis://127.0.0.1:1' });
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

    const refused = await run(['control', '--control-port', '0'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not migrated.*run `downspin migrate`/);

    const migrated = await run(['migrate'], env);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/applied 0001_sessions\.sql/);
    expect((await run(['migrate'], env)).stdout).toMatch(/up to date/);
  });
});
