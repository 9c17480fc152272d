-- One row per proxied WebSocket connection, written when it closes.
CREATE TABLE IF NOT EXISTS ws_connections (
  ts UInt64,
  session_hash String,
  proxy_id String,
  host String,
  path String,
  route String,
  duration_ms Float64,
  messages_in UInt64,
  messages_out UInt64,
  bytes_in UInt64,
  bytes_out UInt64,
  close_code UInt16,
  injected_ms Float64,
  shaping_version UInt64,
  fault String,
  error String,
  country String,
  batch_id String,
  batch_seq UInt32
) ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts, 1000), 'UTC'))
ORDER BY (intDiv(ts, 3600000), session_hash, ts);
