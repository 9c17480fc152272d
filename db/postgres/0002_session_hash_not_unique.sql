-- Two first writes of one new session at once (two API calls, or a call and an activity
-- report) both try to insert it. With the hash UNIQUE beside the primary key, the second could
-- trip over the hash index before ON CONFLICT (id) took over, and fail instead of updating.
-- The hash is derived from the id, so a plain index serves the lookups.
ALTER TABLE sessions DROP CONSTRAINT sessions_hash_key;
CREATE INDEX sessions_hash_idx ON sessions (hash);
