import type { RequestRow, WsRow } from '@downspin/protocol';
import type { ClientEventRow } from './types.js';

/*
 * One small, fixed data set and its answers worked out by hand (see the
 * comments), shared by every TelemetryStore through the contract suite.
 * Error = 5xx, status 0, or an error kind. Percentiles interpolate between
 * the nearest ranks: p(q) = v[i] + (v[i+1] - v[i]) * frac, i + frac = q * (n - 1).
 */

export const T0 = Date.UTC(2025, 2, 10, 10, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const A = 'aaaaaaaaaaaa';
export const B = 'bbbbbbbbbbbb';
export const C = 'cccccccccccc';
/** The range every expectation below is about: two hours from T0. */
export const RANGE = { from: T0, to: T0 + 2 * HOUR };

export function request(fields: Partial<RequestRow> & Pick<RequestRow, 'ts' | 'sessionHash' | 'path' | 'route'>): RequestRow {
  const totalMs = fields.totalMs ?? 10;
  return {
    proxyId: 'proxy-1',
    method: 'GET',
    host: 'app.test',
    status: 200,
    upstreamMs: totalMs / 2,
    totalMs,
    injectedMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    shaping: '',
    shapingVersion: 0,
    fault: '',
    error: '',
    country: '',
    ...fields,
  };
}

const users = '/api/users/:id';
export const r0 = request({ ts: T0 - 1, sessionHash: A, path: '/api/users/9', route: users, status: 500, totalMs: 999, country: 'DE' });
export const r1 = request({ ts: T0, sessionHash: A, path: '/api/users/1', route: users, totalMs: 10, bytesIn: 100, bytesOut: 1000, country: 'DE' });
export const r2 = request({
  ts: T0 + 10_000,
  sessionHash: A,
  path: '/api/users/2',
  route: users,
  totalMs: 20,
  injectedMs: 400,
  bytesIn: 100,
  bytesOut: 2000,
  shaping: 'latency 400±100ms uniform',
  shapingVersion: 3,
  country: 'DE',
});
export const r3 = request({
  ts: T0 + 30_000,
  sessionHash: B,
  method: 'POST',
  path: '/api/cart',
  route: '/api/cart',
  status: 503,
  totalMs: 5,
  bytesIn: 300,
  bytesOut: 50,
  fault: 'error',
  country: 'US',
});
export const r4 = request({
  ts: T0 + 70_000,
  sessionHash: B,
  path: '/api/users/3',
  route: users,
  status: 429,
  totalMs: 1,
  bytesIn: 50,
  bytesOut: 20,
  fault: 'rate_limited',
  country: 'US',
});
export const r5 = request({ ts: T0 + 90_000, sessionHash: C, path: '/', route: '/', totalMs: 40, bytesIn: 80, bytesOut: 5000 });
export const r6 = request({
  ts: T0 + HOUR + 5_000,
  sessionHash: A,
  method: 'POST',
  path: '/api/cart',
  route: '/api/cart',
  totalMs: 30,
  bytesIn: 400,
  bytesOut: 60,
  country: 'DE',
});
export const r7 = request({
  ts: T0 + HOUR + 65_000,
  sessionHash: C,
  path: '/api/users/4',
  route: users,
  status: 0,
  totalMs: 50,
  bytesIn: 70,
  bytesOut: 0,
  error: 'upstream_reset',
  country: 'FR',
});
/** Exactly at RANGE.to: outside, as the range is half-open. */
export const r8 = request({ ts: T0 + 2 * HOUR, sessionHash: B, path: '/late', route: '/late', totalMs: 7, country: 'US' });
/** In a different order from time order on purpose. */
export const REQUESTS = [r3, r0, r1, r2, r8, r4, r5, r7, r6];

export function ws(fields: Partial<WsRow> & Pick<WsRow, 'ts' | 'sessionHash'>): WsRow {
  return {
    proxyId: 'proxy-1',
    host: 'app.test',
    path: '/feed',
    route: '/feed',
    durationMs: 1500.5,
    messagesIn: 3,
    messagesOut: 7,
    bytesIn: 30,
    bytesOut: 700,
    closeCode: 1000,
    injectedMs: 0,
    shapingVersion: 0,
    fault: '',
    error: '',
    country: 'DE',
    ...fields,
  };
}
export const w1 = ws({ ts: T0 + 20_000, sessionHash: A });
export const w2 = ws({ ts: T0 + 40_000, sessionHash: B, closeCode: 4001, fault: 'terminated', country: 'US' });
export const WEBSOCKETS = [w1, w2];

export const e1: ClientEventRow = { type: 'page_view', ts: T0 + 1000, sessionHash: A, url: 'http://app.test/', title: 'Shop' };
export const e2: ClientEventRow = { type: 'click', ts: T0 + 2000, sessionHash: A, url: 'http://app.test/', target: 'button#buy', text: 'Buy' };
export const e3: ClientEventRow = {
  type: 'timing',
  ts: T0 + 3000,
  sessionHash: A,
  url: 'http://app.test/',
  ttfbMs: 12.5,
  loadMs: 300,
  transferBytes: 2048,
};
export const e4: ClientEventRow = { type: 'unload', ts: T0 + 4000, sessionHash: B, url: 'http://app.test/cart', timeOnPageMs: 5000 };
export const e5: ClientEventRow = { type: 'navigation', ts: T0 + 5000, sessionHash: A, url: 'http://app.test/a', from: 'http://app.test/' };
export const CLIENT_EVENTS = [e1, e2, e3, e4, e5];

const noFaults = { error: 0, reset: 0, timeout: 0, fail_first: 0, rate_limited: 0, banned: 0, terminated: 0, truncated: 0 };

/** r1..r7. Latencies sorted: 1 5 10 20 30 40 50 → p50 = 20, p95 = 40 + 0.7·10, p99 = 40 + 0.94·10. */
export const OVERVIEW = {
  requests: 7,
  errors: 2, // r3 (503) and r7 (status 0, upstream_reset)
  errorRate: 2 / 7,
  latencyMs: { p50: 20, p95: 47, p99: 49.4 },
  bytesIn: 1100,
  bytesOut: 8130,
  sessions: 3,
  rateLimited: 1,
  faults: { ...noFaults, error: 1, rate_limited: 1 },
};

/** Session A: r1 r2 r6, latencies 10 20 30. */
export const OVERVIEW_A = {
  requests: 3,
  errors: 0,
  errorRate: 0,
  latencyMs: { p50: 20, p95: 29, p99: 29.8 },
  bytesIn: 600,
  bytesOut: 3060,
  sessions: 1,
  rateLimited: 0,
  faults: noFaults,
};

export const OVERVIEW_EMPTY = {
  requests: 0,
  errors: 0,
  errorRate: 0,
  latencyMs: { p50: null, p95: null, p99: null },
  bytesIn: 0,
  bytesOut: 0,
  sessions: 0,
  rateLimited: 0,
  faults: noFaults,
};

const status = (s: Partial<Record<'2xx' | '3xx' | '4xx' | '5xx' | 'other', number>>) => ({
  '2xx': 0,
  '3xx': 0,
  '4xx': 0,
  '5xx': 0,
  other: 0,
  ...s,
});
const none = { p50: null, p95: null, p99: null };

/** Hour buckets of RANGE: r1..r5 (latencies 1 5 10 20 40) and r6 r7 (30 50). */
export const HOURLY = [
  { t: T0, requests: 5, errors: 1, latencyMs: { p50: 10, p95: 36, p99: 39.2 }, bytesIn: 630, bytesOut: 8070, status: status({ '2xx': 3, '4xx': 1, '5xx': 1 }) },
  { t: T0 + HOUR, requests: 2, errors: 1, latencyMs: { p50: 40, p95: 49, p99: 49.8 }, bytesIn: 470, bytesOut: 60, status: status({ '2xx': 1, other: 1 }) },
];

/** Minute buckets of [T0, T0 + 3 min): r1 r2 r3 (5 10 20), r4 r5 (1 40), nothing. */
export const MINUTELY = [
  { t: T0, requests: 3, errors: 1, latencyMs: { p50: 10, p95: 19, p99: 19.8 }, bytesIn: 500, bytesOut: 3050, status: status({ '2xx': 2, '5xx': 1 }) },
  { t: T0 + MINUTE, requests: 2, errors: 0, latencyMs: { p50: 20.5, p95: 38.05, p99: 39.61 }, bytesIn: 130, bytesOut: 5020, status: status({ '2xx': 1, '4xx': 1 }) },
  { t: T0 + 2 * MINUTE, requests: 0, errors: 0, latencyMs: none, bytesIn: 0, bytesOut: 0, status: status({}) },
];

/** Session B by hour: r3 r4 (5 1), then nothing. */
export const HOURLY_B = [
  { t: T0, requests: 2, errors: 1, latencyMs: { p50: 3, p95: 4.8, p99: 4.96 }, bytesIn: 350, bytesOut: 70, status: status({ '4xx': 1, '5xx': 1 }) },
  { t: T0 + HOUR, requests: 0, errors: 0, latencyMs: none, bytesIn: 0, bytesOut: 0, status: status({}) },
];

/** GET users: r1 r2 r4 r7 (1 10 20 50 → p95 = 20 + 0.85·30); POST cart: r3 r6 (5 30); GET /: r5. */
export const ENDPOINTS = [
  { method: 'GET', host: 'app.test', route: users, requests: 4, errors: 1, errorRate: 0.25, p95Ms: 45.5, bytesIn: 320, bytesOut: 3020 },
  { method: 'POST', host: 'app.test', route: '/api/cart', requests: 2, errors: 1, errorRate: 0.5, p95Ms: 28.75, bytesIn: 700, bytesOut: 110 },
  { method: 'GET', host: 'app.test', route: '/', requests: 1, errors: 0, errorRate: 0, p95Ms: 40, bytesIn: 80, bytesOut: 5000 },
];

/** By requests, then country: session C shows under "" (r5) and FR (r7). */
export const GEO = [
  { country: 'DE', sessions: 1, requests: 3 },
  { country: 'US', sessions: 1, requests: 2 },
  { country: '', sessions: 1, requests: 1 },
  { country: 'FR', sessions: 1, requests: 1 },
];
