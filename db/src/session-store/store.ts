import type { ScenarioShaping, SessionShaping, ShapingState } from '@downspin/protocol';

export type SessionListFilter = 'all' | 'high_risk' | 'throttled';

/** What the store keeps of one session. Times are epoch milliseconds. */
export interface SessionRecord {
  id: string;
  hash: string;
  version: number;
  state: ShapingState;
  /** Any shaping in force (downspin, a profile with effects, a timeline). */
  throttled: boolean;
  firstSeen: number | null;
  lastSeen: number | null;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  violations: number;
  risk: number;
  consent: boolean;
  userAgent: string | null;
  browser: string | null;
  country: string | null;
  bannedUntil: number | null;
  updatedAt: number;
}

/** One shaping change as it was asked for. */
export interface CommandRecord {
  id: string;
  version: number;
  kind: string;
  body: unknown;
  createdAt: number;
}

export interface ApplyShapingInput {
  sessionId: string;
  state: ShapingState;
  /** Kept in the command history: the API command and its (validated) body. */
  command: { kind: string; body: unknown };
}

export interface ApplyShapingOptions {
  /**
   * Runs inside the transaction once the new version is written; when it
   * throws, nothing is kept. The control API publishes the command here, so
   * a dead bus leaves the store unchanged.
   */
  beforeCommit?: (shaping: SessionShaping) => Promise<void>;
}

/**
 * A proxy's activity report for one session (counts are deltas), with the
 * browser family and country the caller derived from user agent and IP.
 */
export interface ActivityItem {
  sessionId: string;
  firstSeen: number;
  lastSeen: number;
  requests: number;
  bytesIn: number;
  bytesOut: number;
  violations: number;
  userAgent: string;
  browser: string;
  country: string;
  bannedUntil?: number;
}

/** A session's totals after an update: what a risk score is computed from. */
export interface RiskFacts {
  sessionId: string;
  requests: number;
  violations: number;
  firstSeen: number | null;
  lastSeen: number | null;
  userAgent: string | null;
  consent: boolean;
  /** The score stored now (0–100), so a caller writes only the scores that changed. */
  risk?: number;
}

/** A stored scenario. Times are epoch milliseconds. */
export interface ScenarioRecord {
  name: string;
  version: number;
  description: string;
  shaping: ScenarioShaping;
  updatedAt: number;
  updatedBy: string;
}

/** A scenario to save; the store gives it its version. */
export interface PutScenarioInput {
  name: string;
  description: string;
  shaping: ScenarioShaping;
  updatedBy: string;
}

export interface StoreHealth {
  ok: boolean;
  /** Words for /health, e.g. "pglite (in memory)" or "connect ECONNREFUSED 127.0.0.1:5432". */
  detail: string;
}

/**
 * Session state and command history, on PGlite (embedded) or PostgreSQL
 * (scale-out), with the same SQL. Every implementation runs
 * `describeSessionStoreContract`.
 */
export interface SessionStore {
  readonly kind: 'pglite' | 'postgres';
  /**
   * In one transaction: version = previous + 1 (1 for a new session), the
   * state saved, a history row appended. Concurrent calls for one session
   * get distinct, consecutive versions.
   */
  applyShaping(input: ApplyShapingInput, options?: ApplyShapingOptions): Promise<SessionShaping>;
  getShaping(sessionId: string): Promise<SessionShaping | undefined>;
  /** Every session ever shaped (version > 0), for proxies starting or reconnecting. */
  loadShaping(): Promise<SessionShaping[]>;
  /**
   * Adds the deltas of a batch of activity reports (one upsert; a session may
   * appear several times). Keeps first seen, raises last seen, keeps the
   * latest non-empty user agent, browser and country. Returns the totals of
   * every session touched.
   */
  recordActivity(items: readonly ActivityItem[]): Promise<RiskFacts[]>;
  /** Stores risk scores (0–100) computed from `RiskFacts`. */
  setRisk(scores: readonly { sessionId: string; risk: number }[]): Promise<void>;
  /** Records whether the user consented (creates the session if new); returns its totals. */
  setConsent(sessionId: string, consent: boolean): Promise<RiskFacts>;
  /**
   * Deletes up to `limit` sessions that were never shaped (version 0), whose
   * last write (activity, consent) is older than `idleSince` (epoch ms) and
   * that are not banned now; oldest first. Shaped sessions and their command
   * history are never touched. Returns how many were deleted.
   */
  expireIdle(idleSince: number, limit: number): Promise<number>;
  /** Most recently seen first. */
  listSessions(filter: SessionListFilter, limit: number): Promise<SessionRecord[]>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** By 12-hex hash first, then by id. */
  findSession(hashOrId: string): Promise<SessionRecord | undefined>;
  /** Newest first. */
  history(sessionId: string, limit: number): Promise<CommandRecord[]>;
  /** Every scenario, by name. */
  listScenarios(): Promise<ScenarioRecord[]>;
  getScenario(name: string): Promise<ScenarioRecord | undefined>;
  /**
   * Creates the scenario at version 1 or replaces it at version + 1, in one
   * statement: concurrent saves of one name get distinct, consecutive versions.
   */
  putScenario(input: PutScenarioInput): Promise<ScenarioRecord>;
  /** Deletes it and returns it as it was; undefined when there was none. Sessions it shaped keep their state. */
  deleteScenario(name: string): Promise<ScenarioRecord | undefined>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
