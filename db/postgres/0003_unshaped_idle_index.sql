-- Sessions never shaped (version 0) are expired once idle (SessionStore.expireIdle): clients
-- without a cookie, load tools and made-up ids would otherwise add a row each, forever.
-- The sweep finds the oldest of them by their last write.
CREATE INDEX sessions_unshaped_idle_idx ON sessions (updated_at) WHERE version = 0;
