import type { ClientEventRow, FaultKind, RequestRow, WsRow } from '@downspin/protocol';

/** A client event as stored: the extension's event plus whose session sent it (protocol's column table). */
export type { ClientEventRow };

/**
 * Rows handed to a store in one insert. `id` names the batch (1–64 of
 * `A-Z a-z 0-9 _ -`): a batch inserted again with `mayExist` is stored once.
 */
export type TelemetryBatch =
  | { kind: 'requests'; id: string; rows: RequestRow[] }
  | { kind: 'websockets'; id: string; rows: WsRow[] }
  | { kind: 'client_events'; id: string; rows: ClientEventRow[] };
export type TelemetryKind = TelemetryBatch['kind'];

export interface InsertOptions {
  /**
   * An earlier insert of this batch id failed and may have stored some or
   * all rows: store only the rows that are not there yet.
   */
  mayExist?: boolean;
}

/** Every analytics query covers `[from, to)` in epoch ms, optionally one session (its 12-hex hash). */
export interface AnalyticsRange {
  from: number;
  to: number;
  session?: string;
}

export type TimeBucket = 'minute' | 'hour' | 'day';

/** Percentiles of total request time; null when there were no requests. */
export interface LatencyPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export type InjectedFault = Exclude<FaultKind, ''>;

export interface Overview {
  requests: number;
  /** Requests answered 5xx, not answered (status 0), or with an error kind. */
  errors: number;
  /** errors / requests, 0 when there were no requests. */
  errorRate: number;
  latencyMs: LatencyPercentiles;
  bytesIn: number;
  bytesOut: number;
  /** Distinct sessions seen. */
  sessions: number;
  rateLimited: number;
  /** Requests per injected fault kind (every kind present, 0 when none). */
  faults: Record<InjectedFault, number>;
}

export interface StatusClasses {
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  /** No response (status 0) or 1xx. */
  other: number;
}

export interface TimeseriesPoint {
  /** Bucket start, epoch ms (UTC minute, hour or day). */
  t: number;
  requests: number;
  errors: number;
  latencyMs: LatencyPercentiles;
  bytesIn: number;
  bytesOut: number;
  status: StatusClasses;
}

export interface EndpointStats {
  method: string;
  /** The request's Host header: the real host in forward mode, the proxy's own in reverse mode. */
  host: string;
  /** Normalised path, e.g. /users/:id. */
  route: string;
  requests: number;
  errors: number;
  errorRate: number;
  p95Ms: number;
  bytesIn: number;
  bytesOut: number;
}

export interface GeoStats {
  /** ISO 3166 alpha-2, "LO", "LAN", or "" unknown. */
  country: string;
  sessions: number;
  requests: number;
}

/** One session's recent activity, each list newest first. */
export interface SessionHistory {
  requests: RequestRow[];
  webSockets: WsRow[];
  clientEvents: ClientEventRow[];
}

/** Same shape as the bus's DependencyStatus, for /health. */
export interface TelemetryStoreHealth {
  ok: boolean;
  detail: string;
}

/**
 * Where telemetry is stored and analysed. Implementations: MemoryTelemetryStore
 * (embedded default, bounded) and ClickHouseTelemetryStore; both pass
 * describeTelemetryStoreContract.
 *
 * Query methods reject invalid input with TelemetryQueryError; storage
 * failures reject with TelemetryStoreError.
 */
export interface TelemetryStore {
  readonly kind: 'memory' | 'clickhouse';
  /**
   * How often a writer should cut partial batches for this store, when its
   * caller does not say (TelemetryWriterOptions.flushIntervalMs): a store
   * whose every insert costs a fixed amount asks for fewer, larger ones.
   */
  readonly flushIntervalMs?: number;
  insert(batch: TelemetryBatch, options?: InsertOptions): Promise<void>;
  overview(range: AnalyticsRange): Promise<Overview>;
  /**
   * Buckets from the one holding `from` up to `to`, empty ones included. Rows
   * count by minute: a range that starts or ends inside a minute covers all of it.
   */
  timeseries(query: AnalyticsRange & { bucket: TimeBucket }): Promise<TimeseriesPoint[]>;
  /** Endpoints (method + host + route) by request count, most first. */
  topEndpoints(query: AnalyticsRange & { limit?: number }): Promise<EndpointStats[]>;
  sessionHistory(query: AnalyticsRange & { session: string; limit?: number }): Promise<SessionHistory>;
  /** Countries by request count, most first. */
  geo(range: AnalyticsRange): Promise<GeoStats[]>;
  /** Request rows in time order, streamed: never holds the whole range in memory. */
  exportRequests(range: AnalyticsRange): AsyncIterable<RequestRow>;
  health(): Promise<TelemetryStoreHealth>;
  close(): Promise<void>;
}
