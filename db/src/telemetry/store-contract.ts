import { SessionAnalyticsResponseSchema, type RequestRow } from '@downspin/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as f from './contract-fixtures.js';
import { TelemetryQueryError } from './errors.js';
import type { TelemetryStore } from './types.js';

/** Percentiles are floating point: compare them to 9 decimal places, everything else exactly. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(actual, path).toBeCloseTo(expected, 9);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    expected.forEach((item, i) => expectClose((actual as unknown[])[i], item, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).toBe(expected);
  }
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/**
 * The behaviour every TelemetryStore must have, checked against the same
 * fixtures and hand-computed answers. `makeStore` returns a new, empty store.
 */
export function describeTelemetryStoreContract(name: string, makeStore: () => Promise<TelemetryStore>): void {
  describe(`TelemetryStore contract: ${name}`, () => {
    let store: TelemetryStore;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    async function loadFixtures(): Promise<void> {
      await store.insert({ kind: 'requests', id: 'fixture-requests', rows: f.REQUESTS });
      await store.insert({ kind: 'websockets', id: 'fixture-ws', rows: f.WEBSOCKETS });
      await store.insert({ kind: 'client_events', id: 'fixture-events', rows: f.CLIENT_EVENTS });
    }

    it('reports itself healthy', async () => {
      expect((await store.health()).ok).toBe(true);
    });

    it('sums up a range: requests, errors, latency percentiles, bytes, sessions, rate limits, faults', async () => {
      await loadFixtures();
      expectClose(await store.overview(f.RANGE), f.OVERVIEW);
      expectClose(await store.overview({ ...f.RANGE, session: f.A }), f.OVERVIEW_A);
      expectClose(await store.overview({ from: f.T0 + 10 * f.HOUR, to: f.T0 + 11 * f.HOUR }), f.OVERVIEW_EMPTY);
    });

    it('charts a range by hour, by minute (empty buckets included) and by day, for all or one session', async () => {
      await loadFixtures();
      expectClose(await store.timeseries({ ...f.RANGE, bucket: 'hour' }), f.HOURLY);
      expectClose(await store.timeseries({ from: f.T0, to: f.T0 + 3 * f.MINUTE, bucket: 'minute' }), f.MINUTELY);
      expectClose(await store.timeseries({ ...f.RANGE, bucket: 'hour', session: f.B }), f.HOURLY_B);
      const [day, ...more] = await store.timeseries({ ...f.RANGE, bucket: 'day' });
      expect(more).toEqual([]);
      expect(day?.t).toBe(Date.UTC(2025, 2, 10));
      expect(day?.requests).toBe(7);
    });

    it('counts whole minutes in a timeseries when the range starts or ends inside one', async () => {
      await loadFixtures();
      const points = await store.timeseries({ from: f.T0 + 15_000, to: f.T0 + 45_000, bucket: 'minute' });
      expect(points.map((p) => [p.t, p.requests])).toEqual([[f.T0, 3]]);
    });

    it('ranks endpoints by method, host and normalised route', async () => {
      await loadFixtures();
      expectClose(await store.topEndpoints(f.RANGE), f.ENDPOINTS);
      expectClose(await store.topEndpoints({ ...f.RANGE, limit: 2 }), f.ENDPOINTS.slice(0, 2));
      expectClose(await store.topEndpoints({ ...f.RANGE, session: f.C }), [
        { method: 'GET', host: 'app.test', route: '/', requests: 1, errors: 0, errorRate: 0, p95Ms: 40, bytesIn: 80, bytesOut: 5000 },
        { method: 'GET', host: 'app.test', route: '/api/users/:id', requests: 1, errors: 1, errorRate: 1, p95Ms: 50, bytesIn: 70, bytesOut: 0 },
      ]);
    });

    it('keeps the same route on two hosts apart (an app and its API, both forwarded)', async () => {
      const row = (ts: number, host: string, totalMs: number): RequestRow =>
        f.request({ ts, sessionHash: f.A, host, path: '/v1/items', route: '/v1/items', totalMs, bytesOut: 10 });
      await store.insert({
        kind: 'requests',
        id: 'two-hosts',
        rows: [row(f.T0, 'api.downspin.test', 300), row(f.T0 + 1, 'api.downspin.test', 300), row(f.T0 + 2, 'app.downspin.test', 4)],
      });
      expectClose(await store.topEndpoints(f.RANGE), [
        { method: 'GET', host: 'api.downspin.test', route: '/v1/items', requests: 2, errors: 0, errorRate: 0, p95Ms: 300, bytesIn: 0, bytesOut: 20 },
        { method: 'GET', host: 'app.downspin.test', route: '/v1/items', requests: 1, errors: 0, errorRate: 0, p95Ms: 4, bytesIn: 0, bytesOut: 10 },
      ]);
    });

    it('counts sessions and requests per country', async () => {
      await loadFixtures();
      expect(await store.geo(f.RANGE)).toEqual(f.GEO);
      expect(await store.geo({ ...f.RANGE, session: f.B })).toEqual([{ country: 'US', sessions: 1, requests: 2 }]);
    });

    it("returns one session's requests, WebSocket connections and client events, newest first and bounded", async () => {
      await loadFixtures();
      const history = await store.sessionHistory({ ...f.RANGE, session: f.A });
      expect(history.requests).toEqual([f.r6, f.r2, f.r1]);
      expect(history.webSockets).toEqual([f.w1]);
      expect(history.clientEvents).toEqual([f.e5, f.e3, f.e2, f.e1]);
      // What the API's session answer documents (SessionAnalyticsResponseSchema) is what a store returns.
      expect(SessionAnalyticsResponseSchema.pick({ requests: true, webSockets: true, clientEvents: true }).parse(history)).toEqual(history);
      const bounded = await store.sessionHistory({ ...f.RANGE, session: f.A, limit: 2 });
      expect(bounded.requests).toEqual([f.r6, f.r2]);
      expect(bounded.clientEvents).toEqual([f.e5, f.e3]);
      expect((await store.sessionHistory({ ...f.RANGE, session: f.B })).clientEvents).toEqual([f.e4]);
    });

    it('exports the rows of a range in time order, whole and unchanged', async () => {
      await loadFixtures();
      expect(await collect(store.exportRequests(f.RANGE))).toEqual([f.r1, f.r2, f.r3, f.r4, f.r5, f.r6, f.r7]);
      expect(await collect(store.exportRequests({ ...f.RANGE, session: f.B }))).toEqual([f.r3, f.r4]);
      expect(await collect(store.exportRequests({ from: f.T0 + 10 * f.HOUR, to: f.T0 + 11 * f.HOUR }))).toEqual([]);
    });

    it('bounds ranges to the millisecond, [from, to), across hour and day boundaries', async () => {
      const midnight = Date.UTC(2025, 2, 11);
      const rows = [-2, -1, 0, 1, 2].flatMap((d) => [
        f.request({ ts: f.T0 + f.HOUR + d, sessionHash: f.A, path: '/h', route: '/h' }),
        f.request({ ts: midnight + d, sessionHash: f.B, path: '/d', route: '/d' }),
      ]);
      await store.insert({ kind: 'requests', id: 'edges', rows });
      const count = async (from: number, to: number, session?: string) => (await store.overview({ from, to, session })).requests;
      expect(await count(f.T0 + f.HOUR, f.T0 + f.HOUR + 1)).toBe(1);
      expect(await count(f.T0 + f.HOUR - 1, f.T0 + f.HOUR + 2, f.A)).toBe(3);
      expect(await count(f.T0 + f.HOUR - 2, f.T0 + f.HOUR)).toBe(2);
      expect(await count(midnight, midnight + 1)).toBe(1);
      expect(await count(midnight - 1, midnight + 2, f.B)).toBe(3);
      expect(await count(midnight - 2, midnight + 3)).toBe(5);
      expect(await count(midnight, midnight)).toBe(0);
    });

    it('lets an export be abandoned part-way without disturbing later queries', async () => {
      await loadFixtures();
      let seen = 0;
      for await (const row of store.exportRequests(f.RANGE)) {
        expect(row.ts).toBeGreaterThanOrEqual(f.T0);
        if (++seen === 3) break;
      }
      expect(seen).toBe(3);
      expect((await store.overview(f.RANGE)).requests).toBe(7);
    });

    it('stores a batch retried with mayExist only once', async () => {
      const batch = { kind: 'requests' as const, id: 'retried-batch', rows: [f.r1, f.r2, f.r3] };
      await store.insert(batch);
      await store.insert(batch, { mayExist: true });
      await store.insert(batch, { mayExist: true });
      expect((await store.overview(f.RANGE)).requests).toBe(3);
      // A batch that never arrived is stored in full, even when it may have.
      await store.insert({ kind: 'requests', id: 'never-arrived', rows: [f.r4] }, { mayExist: true });
      expect((await store.overview(f.RANGE)).requests).toBe(4);
    });

    it('stores and returns hostile strings exactly, and makes out-of-range values safe', async () => {
      const nasty = `/it's "quoted" \\ back\\\\slash \0 nul \n\r\t ; DROP TABLE requests; -- é 日本 🙂 ${"'".repeat(50)}`;
      const hostile = f.request({
        ts: f.T0 + 1000,
        sessionHash: f.A,
        method: "GE'T",
        host: "evil'host\\",
        path: nasty,
        route: nasty,
        shaping: nasty.slice(0, 500),
        proxyId: '\\',
        country: "'",
      });
      const long = f.request({ ts: f.T0 + 2000, sessionHash: f.A, path: `/${'x'.repeat(5000)}`, route: `/${'\\'.repeat(5000)}` });
      const broken = f.request({
        ts: f.T0 + 3000,
        sessionHash: f.A,
        path: `/lone\uD800surrogate`,
        route: '/lone',
        totalMs: Number.NaN,
        upstreamMs: -5,
        bytesIn: -1,
        bytesOut: Number.POSITIVE_INFINITY,
      });
      await store.insert({ kind: 'requests', id: 'hostile', rows: [hostile, long, broken] });

      const rows = await collect(store.exportRequests(f.RANGE));
      expect(rows[0]).toEqual(hostile);
      expect(rows[1]).toEqual({ ...long, path: long.path.slice(0, 2048), route: long.route.slice(0, 2048) });
      expect(rows[2]).toEqual<RequestRow>({ ...broken, path: '/lone\uFFFDsurrogate', totalMs: 0, upstreamMs: 0, bytesIn: 0, bytesOut: 0 });
      const endpoints = await store.topEndpoints(f.RANGE);
      expect(endpoints.map((e) => [e.method, e.route])).toContainEqual(["GE'T", nasty]);
      expect((await store.sessionHistory({ ...f.RANGE, session: f.A })).requests.map((r) => r.path)).toContain(nasty);
      expect(await store.geo(f.RANGE)).toContainEqual({ country: "'", sessions: 1, requests: 1 });
    });

    it('rejects invalid query arguments with TelemetryQueryError', async () => {
      const bad: Array<() => Promise<unknown>> = [
        () => store.overview({ ...f.RANGE, session: "x' OR 1=1 --" }),
        () => store.overview({ ...f.RANGE, session: 'AAAAAAAAAAAA' }),
        () => store.overview({ from: f.T0 + 1, to: f.T0 }),
        () => store.overview({ from: -1, to: f.T0 }),
        () => store.overview({ from: 1.5, to: f.T0 }),
        () => store.timeseries({ ...f.RANGE, bucket: 'week' as 'day' }),
        () => store.timeseries({ from: f.T0, to: f.T0 + 30 * 24 * f.HOUR, bucket: 'minute' }),
        () => store.topEndpoints({ ...f.RANGE, limit: 0 }),
        () => store.sessionHistory({ ...f.RANGE, session: '' }),
        () => store.geo({ from: f.T0, to: Number.POSITIVE_INFINITY }),
        () => collect(store.exportRequests({ ...f.RANGE, session: '\\' })),
        () => store.insert({ kind: 'requests', id: "bad'id", rows: [f.r1] }),
      ];
      for (const call of bad) await expect(call()).rejects.toBeInstanceOf(TelemetryQueryError);
    });
  });
}
