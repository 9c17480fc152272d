-- Session state and command history. Runs unchanged on PostgreSQL and PGlite.

CREATE TABLE sessions (
  id            text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
  -- First 12 hex characters of sha256(id): what the dashboard and API show.
  hash          text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{12}$'),
  -- Shaping version: 0 = never shaped; each change adds exactly one.
  version       integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  state         jsonb NOT NULL DEFAULT '{"mode":"none"}',
  -- Any shaping in force (downspin, a profile with effects, a timeline): the "throttled" filter.
  throttled     boolean NOT NULL DEFAULT false,
  first_seen    timestamptz,
  last_seen     timestamptz,
  requests      bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
  bytes_in      bigint NOT NULL DEFAULT 0 CHECK (bytes_in >= 0),
  bytes_out     bigint NOT NULL DEFAULT 0 CHECK (bytes_out >= 0),
  violations    bigint NOT NULL DEFAULT 0 CHECK (violations >= 0),
  risk          smallint NOT NULL DEFAULT 0 CHECK (risk BETWEEN 0 AND 100),
  consent       boolean NOT NULL DEFAULT false,
  user_agent    text,
  browser       text,
  country       text,
  banned_until  timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Lists are ordered by last seen; the filters get partial indexes of their own.
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen DESC NULLS LAST);
CREATE INDEX sessions_throttled_idx ON sessions (last_seen DESC NULLS LAST) WHERE throttled;
-- 70 is HIGH_RISK_THRESHOLD in protocol/src/commands.ts.
CREATE INDEX sessions_high_risk_idx ON sessions (last_seen DESC NULLS LAST) WHERE risk >= 70;
-- Proxies load every shaped session when they start or reconnect.
CREATE INDEX sessions_shaped_idx ON sessions (id) WHERE version > 0;

CREATE TABLE session_commands (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id  text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  version     integer NOT NULL CHECK (version > 0),
  kind        text NOT NULL,
  body        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- One command per version: a second writer of the same version fails instead of forking history.
  UNIQUE (session_id, version)
);
