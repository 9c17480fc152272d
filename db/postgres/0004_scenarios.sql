-- Scenarios: named, versioned shaping definitions (a profile, a preset or timeline steps) a team
-- keeps and applies by name. Each save bumps the version; sessions shaped by a scenario keep
-- the version they got in their own state and history, so deleting or editing one here never
-- changes a session.
CREATE TABLE scenarios (
  name        text PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 80),
  version     integer NOT NULL CHECK (version > 0),
  description text NOT NULL DEFAULT '',
  shaping     jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL
);
