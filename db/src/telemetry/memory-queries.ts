import { FAULT_KINDS, type RequestRow } from '@downspin/protocol';
import { Latencies, latencyPercentiles, percentiles } from './percentile.js';
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
 * Each aggregation is a Tally: `add` takes one row, reads the fields it
 * needs and keeps no row; `result` makes the answer. The memory store hands
 * a tally its request rows through one view moved from row to row
 * (ColumnRing.scan), a chunk of rows per event-loop task (MemoryTelemetryStore).
 */

/** An aggregation fed one row at a time. */
export interface Tally<Row, Result> {
  add(row: Row): void;
  result(): Result;
}

export interface Window {
  from: number;
  to: number;
  session?: string | undefined;
}

/** Whether the row is in the window: `from` ≤ ts < `to`, and of its session when one is given. */
export function inside(row: { ts: number; sessionHash: string }, window: Window): boolean {
  return row.ts >= window.from && row.ts < window.to && (window.session === undefined || row.sessionHash === window.session);
}

export function* inWindow<T extends { ts: number; sessionHash: string }>(rows: Iterable<T>, window: Window): Generator<T> {
  for (const row of rows) if (inside(row, window)) yield row;
}

export function emptyFaults(): Record<InjectedFault, number> {
  const faults = {} as Record<InjectedFault, number>;
  for (const kind of FAULT_KINDS) if (kind !== '') faults[kind] = 0;
  return faults;
}

/** `rows`: how many rows it will be handed at most (it sizes the latencies once). */
export function overviewTally(rows?: number): Tally<RequestRow, Overview> {
  let requests = 0;
  let errors = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  let rateLimited = 0;
  const sessions = new Set<string>();
  const latencies = new Latencies(rows);
  const faults = emptyFaults();
  return {
    add(row) {
      requests++;
      if (isError(row)) errors++;
      bytesIn += row.bytesIn;
      bytesOut += row.bytesOut;
      if (row.fault === 'rate_limited') rateLimited++;
      if (row.fault !== '' && row.fault in faults) faults[row.fault]++;
      sessions.add(row.sessionHash);
      latencies.push(row.totalMs);
    },
    result: () => ({
      requests,
      errors,
      errorRate: requests === 0 ? 0 : errors / requests,
      latencyMs: latencyPercentiles(latencies.taken()),
      bytesIn,
      bytesOut,
      sessions: sessions.size,
      rateLimited,
      faults,
    }),
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
  latencies: Latencies;
}

/**
 * Buckets every minute the range touches, like the ClickHouse minute rollup.
 * Rows outside the range's whole minutes (minuteBounds) count nowhere: the
 * caller may hand them in.
 */
export function timeseriesTally(query: Window & { bucket: TimeBucket }): Tally<RequestRow, TimeseriesPoint[]> {
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
      latencies: new Latencies(),
    });
  }
  const minutes = { ...minuteBounds(query), session: query.session };
  return {
    add(row) {
      if (!inside(row, minutes)) return;
      const bucket = buckets.get(Math.floor(row.ts / size) * size);
      if (bucket === undefined) return;
      const point = bucket.point;
      point.requests++;
      if (isError(row)) point.errors++;
      point.bytesIn += row.bytesIn;
      point.bytesOut += row.bytesOut;
      point.status[statusClassOf(row.status)]++;
      bucket.latencies.push(row.totalMs);
    },
    result: () => [...buckets.values()].map(({ point, latencies }) => ({ ...point, latencyMs: latencyPercentiles(latencies.taken()) })),
  };
}

/** Byte-wise string order, as ClickHouse sorts. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function topEndpointsTally(limit: number): Tally<RequestRow, EndpointStats[]> {
  interface Group {
    stats: EndpointStats;
    latencies: Latencies;
  }
  // Method, then host, then route: no key string made per row (100,000 of them were scavenges holding the loop).
  const methods = new Map<string, Map<string, Map<string, Group>>>();
  const groups: Group[] = [];
  return {
    add(row) {
      let hosts = methods.get(row.method);
      if (hosts === undefined) methods.set(row.method, (hosts = new Map()));
      let routes = hosts.get(row.host);
      if (routes === undefined) hosts.set(row.host, (routes = new Map()));
      let group = routes.get(row.route);
      if (group === undefined) {
        group = {
          stats: { method: row.method, host: row.host, route: row.route, requests: 0, errors: 0, errorRate: 0, p95Ms: 0, bytesIn: 0, bytesOut: 0 },
          latencies: new Latencies(),
        };
        routes.set(row.route, group);
        groups.push(group);
      }
      group.stats.requests++;
      if (isError(row)) group.stats.errors++;
      group.stats.bytesIn += row.bytesIn;
      group.stats.bytesOut += row.bytesOut;
      group.latencies.push(row.totalMs);
    },
    result() {
      const endpoints = groups.map(({ stats, latencies }) => ({
        ...stats,
        errorRate: stats.errors / stats.requests,
        p95Ms: percentiles(latencies.taken(), [0.95])[0] ?? 0,
      }));
      endpoints.sort((a, b) => b.requests - a.requests || compareBytes(a.method, b.method) || compareBytes(a.host, b.host) || compareBytes(a.route, b.route));
      return endpoints.slice(0, limit);
    },
  };
}

export function geoTally(): Tally<RequestRow, GeoStats[]> {
  const groups = new Map<string, { requests: number; sessions: Set<string> }>();
  return {
    add(row) {
      let group = groups.get(row.country);
      if (group === undefined) {
        group = { requests: 0, sessions: new Set() };
        groups.set(row.country, group);
      }
      group.requests++;
      group.sessions.add(row.sessionHash);
    },
    result() {
      const geo = [...groups].map(([country, g]) => ({ country, sessions: g.sessions.size, requests: g.requests }));
      geo.sort((a, b) => b.requests - a.requests || compareBytes(a.country, b.country));
      return geo;
    },
  };
}

/** The newest `limit` rows, newest first (ties: the later inserted first). */
export function newest<T extends { ts: number }>(rowsNewestInsertedFirst: Iterable<T>, limit: number): T[] {
  const rows = [...rowsNewestInsertedFirst];
  // Stable sort keeps insertion order among equal times.
  rows.sort((a, b) => b.ts - a.ts);
  return rows.slice(0, limit);
}
