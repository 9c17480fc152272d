-- One row per proxied request. `ts` is epoch milliseconds (exact order).
-- Partitions are UTC days and the key starts with the hour, both computed
-- arithmetically from `ts`: queries filter on `ts` alone, and nothing
-- depends on the server's time zone (18.16 misjudges key ranges when a
-- DateTime column's zone differs from the server's).
-- batch_id / batch_seq identify a row inside its insert batch so that a
-- retried batch is never stored twice (see README.md).
CREATE TABLE IF NOT EXISTS requests (
  ts UInt64,
  session_hash String,
  proxy_id String,
  method String,
  host String,
  path String,
  route String,
  status UInt16,
  upstream_ms Float64,
  total_ms Float64,
  injected_ms Float64,
  bytes_in UInt64,
  bytes_out UInt64,
  shaping String,
  shaping_version UInt64,
  fault String,
  error String,
  country String,
  batch_id String,
  batch_seq UInt32
) ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts, 1000), 'UTC'))
ORDER BY (intDiv(ts, 3600000), session_hash, ts);
