-- Events the extension reports from the page (only after consent). Fields
-- that only some event types carry are Nullable, so "absent" stays absent.
CREATE TABLE IF NOT EXISTS client_events (
  ts UInt64,
  session_hash String,
  type String,
  url String,
  title Nullable(String),
  referrer Nullable(String),
  target Nullable(String),
  text Nullable(String),
  from_url Nullable(String),
  time_on_page_ms Nullable(UInt64),
  ttfb_ms Nullable(Float64),
  dom_content_loaded_ms Nullable(Float64),
  load_ms Nullable(Float64),
  transfer_bytes Nullable(UInt64),
  batch_id String,
  batch_seq UInt32
) ENGINE = MergeTree
PARTITION BY toYYYYMMDD(toDateTime(intDiv(ts, 1000), 'UTC'))
ORDER BY (intDiv(ts, 3600000), session_hash, ts);
