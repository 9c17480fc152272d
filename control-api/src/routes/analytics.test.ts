import { createPgliteStore, MemoryTelemetryStore, TelemetryQueryError, TelemetryStoreError, type SessionStore } from '@downspin/db';
import { sessionHash, type RequestRow } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/harness.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

function row(fields: Partial<RequestRow> & Pick<RequestRow, 'ts' | 'sessionHash'>): RequestRow {
  return {
    proxyId: 'p1',
    method: 'GET',
    host: 'app.test',
    path: '/',
    route: '/',
    status: 200,
    upstreamMs: 1,
    totalMs: 10,
    injectedMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    shaping: '',
    shapingVersion: 0,
    fault: '',
    error: '',
    country: 'LO',
    ...fields,
  };
}

const get = async (h: Harness, path: string) => {
  const res = await h.call('GET', path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
};

let store: SessionStore;
let telemetry: MemoryTelemetryStore;
let h: Harness;
let hashA: string;
let hashB: string;

beforeAll(async () => {
  store = await createPgliteStore();
  telemetry = new MemoryTelemetryStore();
  h = await startHarness(store, { telemetry });
  hashA = await sessionHash('analytics-a');
  hashB = await sessionHash('analytics-b');
  await store.recordActivity([
    { sessionId: 'analytics-a', firstSeen: T0, lastSeen: T0 + HOUR, requests: 4, bytesIn: 0, bytesOut: 0, violations: 0, userAgent: 'Mozilla/5.0 Firefox/130.0', browser: 'Firefox', country: 'LO' },
  ]);
  // Fixed in time, hand-computed below: A makes three requests in the first minute and one 5xx
  // two minutes later; B one 404 in the next hour.
  await telemetry.insert({
    kind: 'requests',
    id: 'fixed',
    rows: [
      row({ ts: T0, sessionHash: hashA, path: '/users/1', route: '/users/:id', totalMs: 10, bytesIn: 100, bytesOut: 1000 }),
      row({ ts: T0 + 1000, sessionHash: hashA, path: '/users/2', route: '/users/:id', totalMs: 20, bytesIn: 100, bytesOut: 3000, shaping: 'latency 400 ms', shapingVersion: 2, injectedMs: 400 }),
      row({ ts: T0 + 2000, sessionHash: hashA, method: 'POST', host: 'api.test', path: '/cart', route: '/cart', status: 302, totalMs: 30, bytesIn: 500, bytesOut: 0 }),
      row({ ts: T0 + 2 * MINUTE, sessionHash: hashA, path: '/users/3', route: '/users/:id', status: 503, totalMs: 40, fault: 'error', country: 'DE' }),
      row({ ts: T0 + HOUR + 5 * MINUTE, sessionHash: hashB, path: '/missing', route: '/missing', status: 404, totalMs: 5, bytesOut: 50, country: 'US' }),
    ],
  });
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const fixedRange = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 2 * HOUR).toISOString()}`;

describe('GET /admin/analytics', () => {
  it('answers the overview of a from/to range, figures computed by hand', async () => {
    const { status, body } = await get(h, `/admin/analytics?${fixedRange}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      range: { from: new Date(T0).toISOString(), to: new Date(T0 + 2 * HOUR).toISOString(), session: null },
      requests: 5,
      errors: 1,
      errorRate: 0.2,
      // sorted 5, 10, 20, 30, 40: p50 = v[2]; p95 at 3.8 = 30 + 0.8 × 10; p99 at 3.96 = 30 + 0.96 × 10
      latencyMs: { p50: 20, p95: 38, p99: expect.closeTo(39.6, 9) },
      bytesIn: 700,
      bytesOut: 4050,
      sessions: 2,
      rateLimited: 0,
      faults: { error: 1, reset: 0, timeout: 0, fail_first: 0, rate_limited: 0, banned: 0, terminated: 0, truncated: 0 },
    });
  });

  it('narrows to one session given by id or by hash, with the same answer', async () => {
    const byId = await get(h, `/admin/analytics?${fixedRange}&session=analytics-a`);
    const byHash = await get(h, `/admin/analytics?${fixedRange}&session=${hashA}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(byHash.body);
    expect(byId.body).toMatchObject({ requests: 4, sessions: 1, range: { session: hashA } });
    // B is not in the session store: its hash is still taken as a hash.
    expect((await get(h, `/admin/analytics?${fixedRange}&session=${hashB}`)).body).toMatchObject({ requests: 1, errors: 0 });
  });

  it('takes hours=N as the last N hours (default 24)', async () => {
    const now = Date.now();
    await telemetry.insert({ kind: 'requests', id: 'recent', rows: [row({ ts: now - 30 * MINUTE, sessionHash: 'cccccccccccc' }), row({ ts: now - 3 * HOUR, sessionHash: 'cccccccccccc' })] });
    expect((await get(h, '/admin/analytics?hours=1&session=cccccccccccc')).body).toMatchObject({ requests: 1 });
    expect((await get(h, '/admin/analytics?session=cccccccccccc')).body).toMatchObject({ requests: 2 });
    const { body } = await get(h, '/admin/analytics?hours=6');
    const range = body.range as { from: string; to: string };
    expect(Date.parse(range.to) - Date.parse(range.from)).toBe(6 * HOUR);
  });
});

describe('analytics query validation', () => {
  const bad: [string, string][] = [
    ['hours=0', 'hours'],
    ['hours=abc', 'hours'],
    ['hours=2161', 'hours'],
    ['hours=1&from=2026-01-01T00:00:00Z', 'hours'],
    ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
    ['from=yesterday', 'from'],
    ['to=2026-01-01T00:00:00', 'to'],
    ["session=a'b", 'session'],
    [`session=${'x'.repeat(129)}`, 'session'],
    ['sesion=abc', 'sesion'],
  ];
  it.each(bad)('answers 400 invalid_query naming the field for ?%s', async (query, field) => {
    for (const path of ['/admin/analytics', '/admin/analytics/geo', '/admin/analytics/endpoints', '/admin/analytics/timeseries', '/admin/analytics/export.csv']) {
      const { status, body } = await get(h, `${path}?${query}`);
      expect(status, path).toBe(400);
      expect(body.error?.code).toBe('invalid_query');
      expect(body.error?.message).toContain(field);
    }
  });

  it('refuses more buckets than a chart can hold, and a bad bucket or limit', async () => {
    const tooMany = await get(h, '/admin/analytics/timeseries?hours=720&bucket=minute');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error?.message).toMatch(/bucket: more than 20000 minutes/);
    expect((await get(h, '/admin/analytics/timeseries?bucket=week')).body.error?.message).toContain('bucket');
    expect((await get(h, '/admin/analytics/endpoints?limit=0')).body.error?.message).toContain('limit');
    expect((await get(h, '/admin/analytics/sessions/analytics-a?limit=5000')).body.error?.message).toContain('limit');
  });

  it('answers a malformed session id in the path 400 malformed_session_id', async () => {
    const { status, body } = await get(h, `/admin/analytics/sessions/${encodeURIComponent("a'; DROP TABLE requests; --")}`);
    expect(status).toBe(400);
    expect(body.error?.code).toBe('malformed_session_id');
  });

  it('wants the API key on every analytics route', async () => {
    for (const path of ['/admin/analytics', '/admin/analytics/timeseries', '/admin/analytics/endpoints', '/admin/analytics/geo', '/admin/analytics/sessions/x', '/admin/analytics/export.csv', '/admin/analytics/export.json', '/admin/alerts']) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(401);
    }
  });
});

describe('GET /admin/analytics/timeseries', () => {
  it('buckets by minute with status classes, bytes and percentiles, empty buckets included', async () => {
    const { status, body } = await get(h, `/admin/analytics/timeseries?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 4 * MINUTE).toISOString()}&bucket=minute`);
    expect(status).toBe(200);
    expect(body.bucket).toBe('minute');
    expect(body.points).toEqual([
      {
        t: new Date(T0).toISOString(),
        requests: 3,
        errors: 0,
        latencyMs: { p50: 20, p95: 29, p99: expect.closeTo(29.8, 9) },
        bytesIn: 700,
        bytesOut: 4000,
        status: { '2xx': 2, '3xx': 1, '4xx': 0, '5xx': 0, other: 0 },
      },
      { t: new Date(T0 + MINUTE).toISOString(), requests: 0, errors: 0, latencyMs: { p50: null, p95: null, p99: null }, bytesIn: 0, bytesOut: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 } },
      { t: new Date(T0 + 2 * MINUTE).toISOString(), requests: 1, errors: 1, latencyMs: { p50: 40, p95: 40, p99: 40 }, bytesIn: 0, bytesOut: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 1, other: 0 } },
      { t: new Date(T0 + 3 * MINUTE).toISOString(), requests: 0, errors: 0, latencyMs: { p50: null, p95: null, p99: null }, bytesIn: 0, bytesOut: 0, status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 } },
    ]);
  });

  it('picks the bucket from the range when none is given: minute up to 6 h, hour up to 7 days, else day', async () => {
    const minute = await get(h, '/admin/analytics/timeseries?hours=2');
    expect(minute.body.bucket).toBe('minute');
    expect((minute.body.points as unknown[]).length).toBeGreaterThanOrEqual(120);
    const hour = await get(h, `/admin/analytics/timeseries?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 12 * HOUR).toISOString()}`);
    expect(hour.body.bucket).toBe('hour');
    expect((hour.body.points as unknown[]).length).toBe(12);
    expect((hour.body.points as unknown[]).slice(0, 2)).toMatchObject([
      { t: new Date(T0).toISOString(), requests: 4, errors: 1, status: { '2xx': 2, '3xx': 1, '5xx': 1 } },
      { t: new Date(T0 + HOUR).toISOString(), requests: 1, errors: 0, status: { '4xx': 1 } },
    ]);
    expect((await get(h, '/admin/analytics/timeseries?hours=720')).body.bucket).toBe('day');
  });
});

describe('GET /admin/analytics/endpoints, /geo, /sessions/:id', () => {
  it('lists endpoints by host and normalised route, most requested first, limited', async () => {
    const { body } = await get(h, `/admin/analytics/endpoints?${fixedRange}`);
    expect(body.endpoints).toEqual([
      // 10, 20, 40: p95 at 1.9 = 20 + 0.9 × 20
      { method: 'GET', host: 'app.test', route: '/users/:id', requests: 3, errors: 1, errorRate: 1 / 3, p95Ms: 38, bytesIn: 200, bytesOut: 4000 },
      { method: 'GET', host: 'app.test', route: '/missing', requests: 1, errors: 0, errorRate: 0, p95Ms: 5, bytesIn: 0, bytesOut: 50 },
      { method: 'POST', host: 'api.test', route: '/cart', requests: 1, errors: 0, errorRate: 0, p95Ms: 30, bytesIn: 500, bytesOut: 0 },
    ]);
    expect(((await get(h, `/admin/analytics/endpoints?${fixedRange}&limit=1`)).body.endpoints as unknown[]).length).toBe(1);
  });

  it('counts requests and sessions per country', async () => {
    const { body } = await get(h, `/admin/analytics/geo?${fixedRange}`);
    expect(body.countries).toEqual([
      { country: 'LO', sessions: 1, requests: 3 },
      { country: 'DE', sessions: 1, requests: 1 },
      { country: 'US', sessions: 1, requests: 1 },
    ]);
  });

  it("shows a session's rows newest first with its session view, by id or hash", async () => {
    const byId = await get(h, `/admin/analytics/sessions/analytics-a?${fixedRange}&limit=2`);
    expect(byId.status).toBe(200);
    expect(byId.body.session).toMatchObject({ hash: hashA, browser: 'Firefox' });
    expect((byId.body.requests as RequestRow[]).map((r) => r.path)).toEqual(['/users/3', '/cart']);
    expect(byId.body).toMatchObject({ webSockets: [], clientEvents: [], range: { session: hashA } });
    const byHash = await get(h, `/admin/analytics/sessions/${hashA}?${fixedRange}&limit=2`);
    expect(byHash.body).toEqual(byId.body);
    const unknown = await get(h, `/admin/analytics/sessions/${hashB}?${fixedRange}`);
    expect(unknown.body).toMatchObject({ session: null, requests: [{ path: '/missing' }] });
  });
});

describe('telemetry store failures', () => {
  class FailingStore extends MemoryTelemetryStore {
    constructor(private readonly error: Error) {
      super();
    }
    override async overview(): Promise<never> {
      throw this.error;
    }
    override exportRequests(): AsyncIterable<RequestRow> {
      const error = this.error;
      return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
    }
  }

  it('answers 503 telemetry_unavailable when the store fails, 400 invalid_query when it refuses the query', async () => {
    const down = await startHarness(store, { telemetry: new FailingStore(new TelemetryStoreError('ClickHouse unreachable: ECONNREFUSED', true)) });
    const refused = await startHarness(store, { telemetry: new FailingStore(new TelemetryQueryError('to: out of range')) });
    const none = await startHarness(store);
    try {
      for (const path of ['/admin/analytics', '/admin/analytics/export.csv']) {
        const res = await down.call('GET', path);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ error: { code: 'telemetry_unavailable', message: 'The telemetry store is unavailable.' } });
        const bad = await refused.call('GET', path);
        expect(bad.status).toBe(400);
        expect(await bad.json()).toEqual({ error: { code: 'invalid_query', message: 'The query string is invalid: to: out of range' } });
      }
      const unconfigured = await none.call('GET', '/admin/analytics/geo');
      expect(unconfigured.status).toBe(503);
      expect(await unconfigured.json()).toMatchObject({ error: { code: 'telemetry_unavailable', message: 'No telemetry store is configured.' } });
    } finally {
      await Promise.all([down.close(), refused.close(), none.close()]);
    }
  });
});

describe('/openapi.json', () => {
  it('describes the analytics routes and their query parameters', async () => {
    const res = await h.app.request('/openapi.json');
    const doc = (await res.json()) as { paths: Record<string, { get?: { parameters?: { name: string }[] } }> };
    for (const path of ['/admin/analytics', '/admin/analytics/timeseries', '/admin/analytics/endpoints', '/admin/analytics/geo', '/admin/analytics/sessions/{id}', '/admin/analytics/export.csv', '/admin/analytics/export.json', '/admin/alerts']) {
      expect(doc.paths[path]?.get, path).toBeDefined();
    }
    expect(doc.paths['/admin/analytics/timeseries']!.get!.parameters!.map((p) => p.name).sort()).toEqual(['bucket', 'from', 'hours', 'session', 'to']);
  });
});
