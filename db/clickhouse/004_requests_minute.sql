-- Minute rollup of requests per session, read by the time-series charts.
-- Partial aggregate states (-State) are merged at query time (-Merge), so
-- hour and day buckets are exact merges of minutes. `minute` is computed
-- arithmetically from epoch ms: no dependence on the server's time zone.
CREATE TABLE IF NOT EXISTS requests_minute (
  minute DateTime('UTC'),
  session_hash String,
  requests_state AggregateFunction(count),
  errors_state AggregateFunction(sum, UInt64),
  latency_state AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
  bytes_in_state AggregateFunction(sum, UInt64),
  bytes_out_state AggregateFunction(sum, UInt64),
  status_2xx_state AggregateFunction(sum, UInt64),
  status_3xx_state AggregateFunction(sum, UInt64),
  status_4xx_state AggregateFunction(sum, UInt64),
  status_5xx_state AggregateFunction(sum, UInt64),
  status_other_state AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(minute)
ORDER BY (minute, session_hash);

-- An error is a 5xx, no response at all (status 0), or an error kind.
CREATE MATERIALIZED VIEW IF NOT EXISTS requests_minute_mv TO requests_minute AS
SELECT
  toDateTime(intDiv(ts, 60000) * 60, 'UTC') AS minute,
  session_hash,
  countState() AS requests_state,
  sumState(toUInt64(status >= 500 OR status = 0 OR error != '')) AS errors_state,
  quantilesState(0.5, 0.95, 0.99)(total_ms) AS latency_state,
  sumState(bytes_in) AS bytes_in_state,
  sumState(bytes_out) AS bytes_out_state,
  sumState(toUInt64(status >= 200 AND status < 300)) AS status_2xx_state,
  sumState(toUInt64(status >= 300 AND status < 400)) AS status_3xx_state,
  sumState(toUInt64(status >= 400 AND status < 500)) AS status_4xx_state,
  sumState(toUInt64(status >= 500)) AS status_5xx_state,
  sumState(toUInt64(status < 200)) AS status_other_state
FROM requests
GROUP BY minute, session_hash;
