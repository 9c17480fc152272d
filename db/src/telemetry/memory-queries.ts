import { FAULT_KINDS, type RequestRow } from '@downspin/protocol';
import { latencyPercentiles, percentile } from './percentile.js';
import { BUCKET_MS, bucketStarts, minuteBounds } from './query.js';
import { isError } from './rows.js';
import type {
  EndpointStats,
  GeoStats,
  InjectedFault,
  Overview,
  StatusClasses,
  TimeBucket,
  TimeseriesPoint,
} from './types.js';

/*
 * The analytics answers computed over plain rows: what the memory store
 * runs, and the reference the ClickHouse SQL must agree with (the contract
 * suite checks both against the same hand-computed figures).
 *
 * The aggregations (overviewOf, timeseriesOf, topEndpointsOf, geoOf) read
 * each row's fields as they go and keep no row: the memory store hands them
 * its request rows through one view moved from row to row (ColumnRing.scan).
 */

interface Window {
  from: number;
  to: number;
  session?: string | undefined;
}

export function* inWindow<T extends { ts: number; sessionHash: string }>(rows: Iterable<T>, window: Window): Generator<T> {
  for (const row of rows) {
    if (row.ts < window.from || row.ts >= window.to) continue;
    if (window.session !== undefined && row.sessionHash !== window.session) continue;
    yield row;
  }
}

export function emptyFaults(): Record<InjectedFault, number> {
  const faults = {} as Record<InjectedFault, number>;
  for (const kind of FAULT_KINDS) if (kind !== '') faults[kind] = 0;
  return faults;
}

export function overviewOf(rows: Iterable<RequestRow>): Overview {
  let requests = 0;
  let errors = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  let rateLimited = 0;
  const sessions = new Set<string>();
  const latencies: number[] = [];
  const faults = emptyFaults();
  for (const row of rows) {
    requests++;
    if (isError(row)) errors++;
    bytesIn += row.bytesIn;
    bytesOut += row.bytesOut;
    if (row.fault === 'rate_limited') rateLimited++;
    if (row.fault !== '' && row.fault in faults) faults[row.fault]++;
    sessions.add(row.sessionHash);
    latencies.push(row.totalMs);
  }
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    latencyMs: latencyPercentiles(latencies),
    bytesIn,
    bytesOut,
    sessions: sessions.size,
    rateLimited,
    faults,
  };
}

export function statusClassOf(status: number): keyof StatusClasses {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  if (status >= 200) return '2xx';
  return 'other';
}

interface BucketAcc {
  point: TimeseriesPoint;
  latencies: number[];
}

/** Buckets every minute the range touches, like the ClickHouse minute rollup. */
export function timeseriesOf(rows: Iterable<RequestRow>, query: Window & { bucket: TimeBucket }): TimeseriesPoint[] {
  const size = BUCKET_MS[query.bucket];
  const buckets = new Map<number, BucketAcc>();
  for (const t of bucketStarts(query, query.bucket)) {
    buckets.set(t, {
      point: {
        t,
        requests: 0,
        errors: 0,
        latencyMs: { p50: null, p95: null, p99: null },
        bytesIn: 0,
        bytesOut: 0,
        status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 },
      },
      latencies: [],
    });
  }
  for (const row of inWindow(rows, { ...minuteBounds(query), session: query.session })) {
    const bucket = buckets.get(Math.floor(row.ts / size) * size);
    if (bucket === undefined) continue;
    const point = bucket.point;
    point.requests++;
    if (isError(row)) point.errors++;
    point.bytesIn += row.bytesIn;
    point.bytesOut += row.bytesOut;
    point.status[statusClassOf(row.status)]++;
    bucket.latencies.push(row.totalMs);
  }
  return [...buckets.values()].map(({ point, latencies }) => ({ ...point, latencyMs: latencyPercentiles(latencies) }));
}

/** Byte-wise string order, as ClickHouse sorts. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function topEndpointsOf(rows: Iterable<RequestRow>, limit: number): EndpointStats[] {
  const groups = new Map<string, { stats: EndpointStats; latencies: number[] }>();
  for (const row of rows) {
    const key = `${row.method}\u0000${row.host}\u0000${row.route}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        stats: { method: row.method, host: row.host, route: row.route, requests: 0, errors: 0, errorRate: 0, p95Ms: 0, bytesIn: 0, bytesOut: 0 },
        latencies: [],
      };
      groups.set(key, group);
    }
    group.stats.requests++;
    if (isError(row)) group.stats.errors++;
    group.stats.bytesIn += row.bytesIn;
    group.stats.bytesOut += row.bytesOut;
    group.latencies.push(row.totalMs);
  }
  const endpoints = [...groups.values()].map(({ stats, latencies }) => ({
    ...stats,
    errorRate: stats.errors / stats.requests,
    p95Ms: percentile(latencies.sort((a, b) => a - b), 0.95) ?? 0,
  }));
  endpoints.sort((a, b) => b.requests - a.requests || compareBytes(a.method, b.method) || compareBytes(a.host, b.host) || compareBytes(a.route, b.route));
  return endpoints.slice(0, limit);
}

export function geoOf(rows: Iterable<RequestRow>): GeoStats[] {
  const groups = new Map<string, { requests: number; sessions: Set<string> }>();
  for (const row of rows) {
    let group = groups.get(row.country);
    if (group === undefined) {
      group = { requests: 0, sessions: new Set() };
      groups.set(row.country, group);
    }
    group.requests++;
    group.sessions.add(row.sessionHash);
  }
  const geo = [...groups].map(([country, g]) => ({ country, sessions: g.sessions.size, requests: g.requests }));
  geo.sort((a, b) => b.requests - a.requests || compareBytes(a.country, b.country));
  return geo;
}

/** The newest `limit` rows, newest first (ties: the later inserted first). */
export function newest<T extends { ts: number }>(rowsNewestInsertedFirst: Iterable<T>, limit: number): T[] {
  const rows = [...rowsNewestInsertedFirst];
  // Stable sort keeps insertion order among equal times.
  rows.sort((a, b) => b.ts - a.ts);
  return rows.slice(0, limit);
}
