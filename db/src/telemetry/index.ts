export type {
  AnalyticsRange,
  ClientEventRow,
  EndpointStats,
  GeoStats,
  InjectedFault,
  InsertOptions,
  LatencyPercentiles,
  Overview,
  SessionHistory,
  StatusClasses,
  TelemetryStoreHealth,
  TelemetryBatch,
  TelemetryKind,
  TelemetryStore,
  TimeBucket,
  TimeseriesPoint,
} from './types.js';
export { TelemetryQueryError, TelemetryStoreError } from './errors.js';
export { BUCKET_MS, MAX_BUCKETS, MAX_ENDPOINTS, MAX_HISTORY } from './query.js';
export { MemoryTelemetryStore, type MemoryTelemetryStoreOptions } from './memory-store.js';
export { ClickHouseTelemetryStore, type ClickHouseTelemetryStoreOptions } from './clickhouse/store.js';
export { applyClickHouseMigrations, CLICKHOUSE_MIGRATIONS_DIR } from './clickhouse/migrations.js';
export { DEFAULT_RETENTION_DAYS, dropExpiredPartitions } from './clickhouse/retention.js';
export { DEFAULT_BATCH_SIZE, TelemetryWriter, type TelemetryWriterOptions, type TelemetryWriterStats } from './writer.js';
