import { emptyFaults } from '../memory-queries.js';
import { BUCKET_MS, bucketStarts, minuteBounds } from '../query.js';
import type {
  EndpointStats,
  GeoStats,
  LatencyPercentiles,
  Overview,
  SessionHistory,
  TimeBucket,
  TimeseriesPoint,
} from '../types.js';
import { CLIENT_EVENT_COLUMNS, decodeClientEvent, decodeRequest, decodeWebSocket, REQUEST_COLUMNS, WS_COLUMNS } from './columns.js';
import { int, IS_ERROR, quote, utcDateTime, whereRange } from './sql.js';

/** Runs a SELECT and returns its rows as objects (JSONEachRow). */
export type Select = (query: string) => Promise<Array<Record<string, unknown>>>;

interface Window {
  from: number;
  to: number;
  session?: string | undefined;
}

/** ClickHouse answers null for the quantiles of nothing; numbers otherwise. */
function percentiles(value: unknown): LatencyPercentiles {
  const [p50, p95, p99] = Array.isArray(value) ? value : [];
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { p50: num(p50), p95: num(p95), p99: num(p99) };
}

export async function overview(select: Select, q: Window): Promise<Overview> {
  const where = whereRange(q);
  const [totals, faultRows] = await Promise.all([
    select(`SELECT
        count() AS n_requests,
        sum(toUInt64(${IS_ERROR})) AS n_errors,
        quantiles(0.5, 0.95, 0.99)(total_ms) AS latency,
        sum(bytes_in) AS sum_bytes_in,
        sum(bytes_out) AS sum_bytes_out,
        uniqExact(session_hash) AS n_sessions,
        sum(toUInt64(fault = 'rate_limited')) AS n_rate_limited
      FROM requests WHERE ${where}`),
    select(`SELECT fault, count() AS n FROM requests WHERE ${where} AND fault != '' GROUP BY fault`),
  ]);
  const t = totals[0] ?? {};
  const requests = Number(t.n_requests ?? 0);
  const errors = Number(t.n_errors ?? 0);
  const faults = emptyFaults();
  for (const row of faultRows) {
    const kind = String(row.fault);
    if (kind in faults) faults[kind as keyof typeof faults] = Number(row.n);
  }
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    latencyMs: requests === 0 ? { p50: null, p95: null, p99: null } : percentiles(t.latency),
    bytesIn: Number(t.sum_bytes_in ?? 0),
    bytesOut: Number(t.sum_bytes_out ?? 0),
    sessions: Number(t.n_sessions ?? 0),
    rateLimited: Number(t.n_rate_limited ?? 0),
    faults,
  };
}

/** Reads the minute rollup and merges its states into the requested buckets. */
export async function timeseries(select: Select, q: Window & { bucket: TimeBucket }): Promise<TimeseriesPoint[]> {
  const seconds = BUCKET_MS[q.bucket] / 1000;
  const minutes = minuteBounds(q);
  const session = q.session === undefined ? '' : ` AND session_hash = ${quote(q.session)}`;
  const rows = await select(`SELECT
      intDiv(toUInt32(minute), ${int(seconds)}) * ${int(seconds)} AS bucket,
      countMerge(requests_state) AS n_requests,
      sumMerge(errors_state) AS n_errors,
      quantilesMerge(0.5, 0.95, 0.99)(latency_state) AS latency,
      sumMerge(bytes_in_state) AS sum_bytes_in,
      sumMerge(bytes_out_state) AS sum_bytes_out,
      sumMerge(status_2xx_state) AS s2xx,
      sumMerge(status_3xx_state) AS s3xx,
      sumMerge(status_4xx_state) AS s4xx,
      sumMerge(status_5xx_state) AS s5xx,
      sumMerge(status_other_state) AS sother
    FROM requests_minute
    WHERE minute >= ${utcDateTime(minutes.from)} AND minute < ${utcDateTime(minutes.to)}${session}
    GROUP BY bucket
    ORDER BY bucket`);
  const found = new Map(rows.map((row) => [Number(row.bucket) * 1000, row]));
  return bucketStarts(q, q.bucket).map((t): TimeseriesPoint => {
    const row = found.get(t);
    const requests = Number(row?.n_requests ?? 0);
    return {
      t,
      requests,
      errors: Number(row?.n_errors ?? 0),
      latencyMs: requests === 0 ? { p50: null, p95: null, p99: null } : percentiles(row?.latency),
      bytesIn: Number(row?.sum_bytes_in ?? 0),
      bytesOut: Number(row?.sum_bytes_out ?? 0),
      status: {
        '2xx': Number(row?.s2xx ?? 0),
        '3xx': Number(row?.s3xx ?? 0),
        '4xx': Number(row?.s4xx ?? 0),
        '5xx': Number(row?.s5xx ?? 0),
        other: Number(row?.sother ?? 0),
      },
    };
  });
}

export async function topEndpoints(select: Select, q: Window & { limit: number }): Promise<EndpointStats[]> {
  const rows = await select(`SELECT
      method,
      host,
      route,
      count() AS n_requests,
      sum(toUInt64(${IS_ERROR})) AS n_errors,
      quantile(0.95)(total_ms) AS p95,
      sum(bytes_in) AS sum_bytes_in,
      sum(bytes_out) AS sum_bytes_out
    FROM requests WHERE ${whereRange(q)}
    GROUP BY method, host, route
    ORDER BY n_requests DESC, method, host, route
    LIMIT ${int(q.limit)}`);
  return rows.map((row) => {
    const requests = Number(row.n_requests);
    const errors = Number(row.n_errors);
    return {
      method: String(row.method),
      host: String(row.host),
      route: String(row.route),
      requests,
      errors,
      errorRate: errors / requests,
      p95Ms: Number(row.p95),
      bytesIn: Number(row.sum_bytes_in),
      bytesOut: Number(row.sum_bytes_out),
    };
  });
}

export async function geo(select: Select, q: Window): Promise<GeoStats[]> {
  const rows = await select(`SELECT country, uniqExact(session_hash) AS n_sessions, count() AS n_requests
    FROM requests WHERE ${whereRange(q)}
    GROUP BY country
    ORDER BY n_requests DESC, country`);
  return rows.map((row) => ({ country: String(row.country), sessions: Number(row.n_sessions), requests: Number(row.n_requests) }));
}

export async function sessionHistory(select: Select, q: Window & { session: string; limit: number }): Promise<SessionHistory> {
  const where = whereRange(q);
  const limit = int(q.limit);
  const [requests, webSockets, clientEvents] = await Promise.all([
    select(`SELECT ${REQUEST_COLUMNS} FROM requests WHERE ${where} ORDER BY ts DESC LIMIT ${limit}`),
    select(`SELECT ${WS_COLUMNS} FROM ws_connections WHERE ${where} ORDER BY ts DESC LIMIT ${limit}`),
    select(`SELECT ${CLIENT_EVENT_COLUMNS} FROM client_events WHERE ${where} ORDER BY ts DESC LIMIT ${limit}`),
  ]);
  return {
    requests: requests.map(decodeRequest),
    webSockets: webSockets.map(decodeWebSocket),
    clientEvents: clientEvents.map(decodeClientEvent),
  };
}

const HOUR_MS = 3_600_000;

/**
 * Splits an export into time windows of about `rowsPerWindow` rows (whole
 * hours), so the server sorts one window at a time instead of the whole range.
 */
export async function exportWindows(select: Select, q: Window, rowsPerWindow: number): Promise<Window[]> {
  const hours = await select(`SELECT intDiv(ts, ${HOUR_MS}) AS hour, count() AS n
    FROM requests WHERE ${whereRange(q)} GROUP BY hour ORDER BY hour`);
  const windows: Window[] = [];
  let current: { from: number; to: number; rows: number } | undefined;
  for (const row of hours) {
    const start = Math.max(q.from, Number(row.hour) * HOUR_MS);
    const end = Math.min(q.to, (Number(row.hour) + 1) * HOUR_MS);
    const n = Number(row.n);
    if (current !== undefined && current.rows + n <= rowsPerWindow) {
      current.to = end;
      current.rows += n;
    } else {
      if (current !== undefined) windows.push({ from: current.from, to: current.to, session: q.session });
      current = { from: start, to: end, rows: n };
    }
  }
  if (current !== undefined) windows.push({ from: current.from, to: current.to, session: q.session });
  return windows;
}

export function exportQuery(window: Window): string {
  return `SELECT ${REQUEST_COLUMNS} FROM requests WHERE ${whereRange(window)} ORDER BY ts`;
}
