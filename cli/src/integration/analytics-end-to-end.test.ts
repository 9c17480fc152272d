import http from 'node:http';
import { createClient } from '@clickhouse/client';
import { MemoryBus } from '@downspin/bus';
import { createControlApi, recordConsent, startControlServer, telemetryClientEvents, type ControlApi, type RunningControlServer } from '@downspin/control-api';
import {
  ClickHouseTelemetryStore,
  createPgliteStore,
  MemoryTelemetryStore,
  TelemetryWriter,
  type SessionStore,
  type TelemetryStore,
} from '@downspin/db';
import { MAX_CLIENT_EVENT_BATCH, sessionHash, type ClientEvent, type RequestRow } from '@downspin/protocol';
import { countryOf, startProxy, type RunningProxy } from '@downspin/proxy';
import { eventually, startTestUpstream, type TestUpstream } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const KEY = 'analytics-e2e-key';
const runId = inject('runId');
/** A second loopback address stands in for a client abroad: the proxy's lookup maps it to 8.8.8.8 (US). */
const ABROAD = '127.0.0.2';

interface Made {
  store: TelemetryStore;
  drop(): Promise<void>;
}

const stores: [string, () => Promise<Made>][] = [
  ['memory', async () => ({ store: new MemoryTelemetryStore(), drop: async () => undefined })],
  [
    'clickhouse',
    async () => {
      const url = inject('clickhouseUrl');
      const database = `downspin_test_${runId}_analytics_e2e`;
      const store = new ClickHouseTelemetryStore({ url, database });
      await store.start();
      return {
        store,
        async drop() {
          const admin = createClient({ url });
          await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
          await admin.close();
        },
      };
    },
  ],
];

/** R-7 percentile, as both stores compute it (exact below 8192 values). */
function percentile(values: number[], level: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = level * (sorted.length - 1);
  const lower = Math.floor(index);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (index - lower);
}

/** One request through the proxy as a session, on a fresh connection from `localAddress`; the path goes out byte for byte. */
function send(base: string, path: string, session: string, options: { localAddress?: string; userAgent?: string } = {}): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.get({ hostname, port, path, agent: false, localAddress: options.localAddress, headers: { 'x-downspin-session': session, 'user-agent': options.userAgent ?? 'Mozilla/5.0 Firefox/130.0' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe.each(stores)('telemetry end to end through a real proxy (%s store)', (kind, make) => {
  let made: Made;
  let telemetry: TelemetryStore;
  let sessions: SessionStore;
  let bus: MemoryBus;
  let upstream: TestUpstream;
  let writer: TelemetryWriter;
  let app: ControlApi;
  let control: RunningControlServer;
  let proxy: RunningProxy;
  const ids = { a: `e2e-${kind}-${runId}-a`, b: `e2e-${kind}-${runId}-b`, c: `e2e-${kind}-${runId}-c` };
  const hashes = { a: '', b: '', c: '' };
  const hostilePath = `/q/it's/"quoted"/back\\slash/%00/${'x'.repeat(3000)}`;
  const hostileAgent = `curl/8.5 '"\\ ${'z'.repeat(400)}`;
  let sent = 0;
  let from = 0;
  let to = 0;

  const api = async <T = Record<string, unknown>>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${control.url}${path}`, { ...init, headers: { 'x-api-key': KEY, ...(init.headers as Record<string, string>) } });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    made = await make();
    telemetry = made.store;
    sessions = await createPgliteStore();
    bus = new MemoryBus();
    upstream = await startTestUpstream();
    writer = await TelemetryWriter.open({ store: telemetry, flushIntervalMs: 50 });
    app = await createControlApi({
      store: sessions,
      bus,
      adminKey: KEY,
      telemetry,
      clientEvents: telemetryClientEvents(writer),
      activityFlushMs: 100,
      processMetrics: false,
    });
    control = await startControlServer({ app, port: 0 });
    proxy = await startProxy({
      target: upstream.url,
      port: 0,
      bus,
      loadShaping: () => sessions.loadShaping(),
      telemetry: writer,
      countryOf: (ip) => countryOf(ip.endsWith(ABROAD) ? '8.8.8.8' : ip),
      reportIntervalMs: 100,
    });
    for (const key of ['a', 'b', 'c'] as const) hashes[key] = await sessionHash(ids[key]);

    from = Date.now() - 1000;
    const go = async (path: string, session: string, options?: { localAddress?: string; userAgent?: string }) => {
      sent++;
      return send(proxy.url, path, session, options);
    };
    // a: three users, one upstream 500, one 10 000-byte download.
    for (const n of [1, 2, 3]) expect(await go(`/users/${n}`, ids.a)).toBe(200);
    expect(await go('/status/500', ids.a)).toBe(500);
    expect(await go('/bytes/10000', ids.a)).toBe(200);
    // b: latency 30 ms (version 1), then every request fails 503 (version 2).
    await api(`/admin/sessions/${ids.b}/profile`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: { latency: { ms: 30 } } }) });
    expect(await go('/orders/42', ids.b)).toBe(200);
    expect(await go('/orders/43', ids.b)).toBe(200);
    await api(`/admin/sessions/${ids.b}/profile`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: { faults: { errorRate: 1, status: 503 } } }) });
    expect(await go('/users/7', ids.b)).toBe(503);
    // c: from "abroad", with a hostile path and user agent.
    expect(await go('/users/9', ids.c, { localAddress: ABROAD })).toBe(200);
    expect(await go(hostilePath, ids.c, { localAddress: ABROAD, userAgent: hostileAgent })).toBe(200);
    to = Date.now() + 1000;
    await eventually(() => expect(writer.stats().written).toBe(sent), 20_000);
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await control?.close();
    await app?.close();
    await writer?.close();
    await telemetry?.close();
    await made?.drop();
    await upstream?.stop();
    await sessions?.close();
    await bus?.close();
  });

  const range = () => `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;

  async function storedRows(): Promise<RequestRow[]> {
    const rows: RequestRow[] = [];
    for await (const row of telemetry.exportRequests({ from, to })) rows.push(row);
    return rows;
  }

  it('stores exactly one row per request, with its fields', async () => {
    const rows = await storedRows();
    expect(rows).toHaveLength(sent);
    const byPath = new Map(rows.map((r) => [r.path, r]));
    expect(byPath.get('/users/1')).toMatchObject({ sessionHash: hashes.a, method: 'GET', route: '/users/:id', status: 200, fault: '', error: '', country: 'LO', shapingVersion: 0, proxyId: proxy.proxyId });
    expect(byPath.get('/status/500')).toMatchObject({ status: 500, route: '/status/:id' });
    expect(byPath.get('/bytes/10000')!.bytesOut).toBeGreaterThanOrEqual(10_000);
    const shaped = byPath.get('/orders/42')!;
    expect(shaped).toMatchObject({ sessionHash: hashes.b, route: '/orders/:id', shapingVersion: 1, fault: '' });
    expect(shaped.shaping).toContain('30');
    expect(shaped.injectedMs).toBeGreaterThanOrEqual(29);
    expect(shaped.totalMs).toBeGreaterThanOrEqual(29);
    expect(byPath.get('/users/7')).toMatchObject({ sessionHash: hashes.b, status: 503, fault: 'error', shapingVersion: 2 });
    expect(byPath.get('/users/9')).toMatchObject({ sessionHash: hashes.c, country: 'US' });
    // Stored as sent, up to the 2048-character limit on paths.
    expect(rows.find((r) => r.path.startsWith('/q/'))!.path).toBe(hostilePath.slice(0, 2048));
    for (const row of rows) expect(row.host).toBe(new URL(proxy.url).host);
  });

  it('answers the analytics endpoints as computed by hand from the rows', async () => {
    const rows = await storedRows();
    const totals = rows.map((r) => r.totalMs);
    const overview = await api(`/admin/analytics?${range()}`);
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({
      requests: sent,
      errors: 2, // the upstream 500 and the injected 503
      errorRate: 2 / sent,
      sessions: 3,
      rateLimited: 0,
      faults: { error: 1, reset: 0 },
      bytesIn: rows.reduce((s, r) => s + r.bytesIn, 0),
      bytesOut: rows.reduce((s, r) => s + r.bytesOut, 0),
    });
    const latency = overview.body.latencyMs as { p50: number; p95: number; p99: number };
    expect(latency.p50).toBeCloseTo(percentile(totals, 0.5), 6);
    expect(latency.p95).toBeCloseTo(percentile(totals, 0.95), 6);
    expect(latency.p99).toBeCloseTo(percentile(totals, 0.99), 6);

    const endpoints = await api<{ endpoints: Array<{ method: string; route: string; requests: number; errors: number }> }>(`/admin/analytics/endpoints?${range()}&limit=3`);
    expect(endpoints.body.endpoints[0]).toMatchObject({ method: 'GET', route: '/users/:id', requests: 5, errors: 1 });
    expect(endpoints.body.endpoints[1]).toMatchObject({ route: '/orders/:id', requests: 2, errors: 0 });

    const geo = await api(`/admin/analytics/geo?${range()}`);
    expect(geo.body.countries).toEqual([
      { country: 'LO', sessions: 2, requests: sent - 2 },
      { country: 'US', sessions: 1, requests: 2 },
    ]);

    const series = await api<{ bucket: string; points: Array<{ requests: number; errors: number; status: Record<string, number> }> }>(`/admin/analytics/timeseries?${range()}`);
    expect(series.body.bucket).toBe('minute');
    const sum = (f: (p: (typeof series.body.points)[number]) => number) => series.body.points.reduce((s, p) => s + f(p), 0);
    expect(sum((p) => p.requests)).toBe(sent);
    expect(sum((p) => p.errors)).toBe(2);
    expect(sum((p) => p.status['2xx']!)).toBe(sent - 2);
    expect(sum((p) => p.status['5xx']!)).toBe(2);

    // One session, by id and by hash.
    const b = await api(`/admin/analytics?${range()}&session=${ids.b}`);
    expect(b.body).toMatchObject({ requests: 3, errors: 1, sessions: 1, range: { session: hashes.b } });
    expect((await api(`/admin/analytics?${range()}&session=${hashes.b}`)).body).toEqual(b.body);
    const history = await api<{ requests: RequestRow[] }>(`/admin/analytics/sessions/${ids.b}?${range()}`);
    expect(history.body.requests.map((r) => [r.path, r.shapingVersion])).toEqual([
      ['/users/7', 2],
      ['/orders/43', 1],
      ['/orders/42', 1],
    ]);
  });

  it('stores and answers hostile strings safely through the HTTP API', async () => {
    const exported = await fetch(`${control.url}/admin/analytics/export.json?${range()}&session=${ids.c}`, { headers: { 'x-api-key': KEY } });
    const rows = (await exported.json()) as RequestRow[];
    expect(rows.map((r) => r.path)).toEqual(['/users/9', hostilePath.slice(0, 2048)]);
    const csv = await (await fetch(`${control.url}/admin/analytics/export.csv?${range()}&session=${hashes.c}`, { headers: { 'x-api-key': KEY } })).text();
    expect(csv).toContain(`"${hostilePath.slice(0, 2048).replaceAll('"', '""')}"`);
    // Filters that try to break out of a string literal are refused, and change nothing.
    for (const session of [`${hashes.c}' OR 1=1 --`, "\\'", '%00', 'a'.repeat(5000)]) {
      const res = await api(`/admin/analytics?${range()}&session=${encodeURIComponent(session)}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_query' } });
    }
    expect((await api(`/admin/analytics?${range()}`)).body).toMatchObject({ requests: sent });
    // The hostile user agent is kept as sent (session store) and named in the alert-style reasons.
    await eventually(async () => {
      await app.flushActivity();
      expect((await api<{ session: { userAgent: string } }>(`/admin/sessions/${ids.c}`)).body.session.userAgent).toBe(hostileAgent);
    }, 10_000);
  });

  it('stores client events of consented sessions through the writer; malformed and oversized batches are refused and counted', async () => {
    await recordConsent(sessions, ids.a, true);
    const hostileText = `"quoted" 'single' back\\slash nul\u0000 ${'y'.repeat(200)}`;
    const events: ClientEvent[] = [
      { type: 'page_view', ts: Date.now(), url: 'http://app.test/', title: 'Home' },
      { type: 'click', ts: Date.now() + 1, url: 'http://app.test/', target: 'button#buy', text: hostileText },
    ];
    const post = (body: unknown) => fetch(`${control.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ sessionId: ids.a, events })).status).toBe(202);

    const before = app.stats().clientEvents.rejected;
    const refused = [
      await post({ sessionId: ids.a, events: [{ type: 'teleport', ts: 1, url: 'x' }] }),
      await post({ sessionId: ids.a, events: Array.from({ length: MAX_CLIENT_EVENT_BATCH + 1 }, () => events[0]) }),
      await post({ sessionId: ids.a, events: [{ ...events[0], title: 't'.repeat(100_000) }] }),
      await post({ sessionId: ids.b, events }),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 413, 403]);
    expect(app.stats().clientEvents.rejected - before).toBe(4);

    await eventually(async () => {
      const history = await api<{ clientEvents: Array<Record<string, unknown>> }>(`/admin/analytics/sessions/${ids.a}?hours=1`);
      expect(history.body.clientEvents).toEqual([
        { ...events[1], sessionHash: hashes.a },
        { ...events[0], sessionHash: hashes.a },
      ]);
    }, 10_000);
    expect(app.stats().clientEvents).toMatchObject({ accepted: 2, sinkErrors: 0 });
  });
});
