import { randomBytes } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import { createControlApi, startControlServer, type ControlApi, type RunningControlServer } from '@downspin/control-api';
import { createPgliteStore, createPostgresStore, type SessionStore } from '@downspin/db';
import { sessionHash } from '@downspin/protocol';
import { hashSessionId, MemoryTelemetrySink, startProxy, type RunningProxy } from '@downspin/proxy';
import { connect, eventually, json, request, startTestUpstream, type TestUpstream } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const KEY = 'integration-key';

const stores: [string, () => Promise<SessionStore>][] = [
  ['pglite', () => createPgliteStore()],
  ['postgres', () => createPostgresStore({ url: inject('databaseUrl'), migrate: true })],
];

/**
 * The real pieces over real sockets: the proxy in front of a recording
 * upstream and the control API, sharing an in-process bus and the store,
 * both on port 0.
 */
describe.each(stores)('control API driving a real proxy (%s store)', (_name, makeStore) => {
  let store: SessionStore;
  let bus: MemoryBus;
  let upstream: TestUpstream;
  let app: ControlApi;
  let control: RunningControlServer;
  let proxy: RunningProxy;
  const telemetry = new MemoryTelemetrySink();
  // Unique per run: the PostgreSQL database is shared with other test files.
  const s1 = `s1-${randomBytes(4).toString('hex')}`;
  const s2 = `s2-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    store = await makeStore();
    bus = new MemoryBus();
    upstream = await startTestUpstream();
    app = await createControlApi({ store, bus, adminKey: KEY, ackTimeoutMs: 3000, activityFlushMs: 100 });
    control = await startControlServer({ app, port: 0 });
    proxy = await startProxy({
      target: upstream.url,
      port: 0,
      bus,
      proxyId: 'proxy-it',
      loadShaping: () => store.loadShaping(),
      reportIntervalMs: 200,
      telemetry,
    });
    await eventually(() => expect(app.proxies.liveIds()).toContain('proxy-it'));
  });

  afterAll(async () => {
    await proxy?.close();
    await control?.close();
    await app?.close();
    await upstream?.stop();
    await bus?.close();
    await store?.close();
  });

  /**
   * The delay the proxy decided for each of a session's requests so far, from
   * its telemetry rows: "fast" is checked by what the proxy decided, since a
   * busy machine can make any unshaped request slow.
   */
  const injected = (session: string, count: number) =>
    eventually(() => {
      const rows = telemetry.requests.filter((row) => row.sessionHash === hashSessionId(session));
      expect(rows).toHaveLength(count);
      return rows.map((row) => row.injectedMs);
    });
  const through = (session: string) => request(`${proxy.url}/api/ping`, { headers: { 'x-downspin-session': session } });
  const admin = (method: string, path: string, body?: unknown) =>
    request(`${control.url}${path}`, {
      method,
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('slows only the throttled session, applies a preset, and lifts it on upspin', async () => {
    const baseline = await through(s1);
    expect(baseline.status).toBe(200);

    const down = await admin('POST', `/admin/sessions/${s1}/downspin`, { latency_ms: 300 });
    expect(down.status).toBe(200);
    expect(json(down)).toMatchObject({ applied: { acknowledged: true, appliedBy: ['proxy-it'], pending: [] } });

    const slow = await through(s1);
    const fast = await through(s2);
    expect(slow.status).toBe(200);
    // Timers may fire a hair early; the proxy itself adds the 300 ms.
    expect(slow.ms).toBeGreaterThanOrEqual(295);
    expect(fast.status).toBe(200);
    expect(await injected(s1, 2)).toEqual([0, 300]);
    expect(await injected(s2, 1)).toEqual([0]);

    const profile = await admin('PUT', `/admin/sessions/${s1}/profile`, { preset: 'fast-3g' });
    expect(json(profile)).toMatchObject({ session: { mode: 'profile' }, applied: { acknowledged: true } });
    const shown = json<{ session: { shaping: string; version: number } }>(await admin('GET', `/admin/sessions/${s1}`));
    expect(shown.session.shaping).toContain('fast-3g');
    expect(shown.session.version).toBe(2);
    expect((await through(s1)).ms).toBeGreaterThanOrEqual(555);

    const up = await admin('POST', `/admin/sessions/${s1}/upspin`);
    expect(json(up)).toMatchObject({ session: { mode: 'upspin', version: 3 }, applied: { version: 3, acknowledged: true } });
    expect((await through(s1)).status).toBe(200);
    expect((await injected(s1, 4)).at(-1)).toBe(0);
  });

  it('shows what the proxy saw of each session in the list, by hash', async () => {
    const hash = await sessionHash(s2);
    await eventually(async () => {
      const list = json<{ sessions: { hash: string; requests: number; country: string | null }[] }>(await admin('GET', '/admin/sessions'));
      expect(list.sessions.find((s) => s.hash === hash)).toMatchObject({ requests: expect.any(Number), country: 'LO' });
      expect(list.sessions.find((s) => s.hash === hash)!.requests).toBeGreaterThanOrEqual(1);
    });
  });

  it('pushes a request seen by the proxy to a connected dashboard, and counts it in /admin/stats', async () => {
    const s3 = `s3-${randomBytes(4).toString('hex')}`;
    const hash = await sessionHash(s3);
    const dashboard = await connect(`${control.url.replace('http', 'ws')}/ws/dashboard`, { headers: { 'x-api-key': KEY } });
    try {
      await dashboard.next((m) => m.type === 'snapshot');
      expect((await through(s3)).status).toBe(200);
      // Proxy report (200 ms) + activity flush (100 ms) + dashboard push (500 ms); how soon is the bench's
      // to measure (propagation), the wait here only bounds the test.
      const push = await dashboard.next<{ sessions: { hash: string; requests: number }[] }>(
        (m) => m.type === 'sessions' && JSON.stringify(m).includes(hash),
        10_000,
      );
      expect(push.sessions.find((s) => s.hash === hash)).toMatchObject({ requests: 1 });
      const stats = json<{ requestsTotal: number; proxies: { proxyId: string; url: string | null }[] }>(await admin('GET', '/admin/stats'));
      expect(stats.requestsTotal).toBeGreaterThanOrEqual(1);
      expect(stats.proxies).toEqual([expect.objectContaining({ proxyId: 'proxy-it', url: proxy.url })]);
    } finally {
      dashboard.close();
    }
  });

  it('is healthy with the live proxy, and a proxy started later loads the stored shaping', async () => {
    const health = await request(`${control.url}/health`);
    expect(health.status).toBe(200);
    expect(json(health)).toMatchObject({ status: 'ok', dependencies: { proxies: { live: ['proxy-it'] } } });

    await admin('POST', `/admin/sessions/${s2}/downspin`, { latency_ms: 250 });
    const late = await startProxy({ target: upstream.url, port: 0, bus, proxyId: 'proxy-late', loadShaping: () => store.loadShaping() });
    try {
      const res = await request(`${late.url}/api/ping`, { headers: { 'x-downspin-session': s2 } });
      expect(res.ms).toBeGreaterThanOrEqual(245);
    } finally {
      await late.close();
    }
  });
});
