import { createHash } from 'node:crypto';
import { HIGH_RISK_THRESHOLD, SESSION_HASH_LENGTH, type SessionShaping } from '@downspin/protocol';
import type { SqlClient } from '../sql/client.js';
import {
  msToTimestamp,
  RISK_COLUMNS,
  SESSION_COLUMNS,
  toCommandRecord,
  toRiskFacts,
  toSessionRecord,
  toShaping,
  type CommandRow,
  type RiskRow,
  type SessionRow,
} from './rows.js';
import {
  type ActivityItem,
  type ApplyShapingInput,
  type ApplyShapingOptions,
  type CommandRecord,
  type PutScenarioInput,
  type ScenarioRecord,
  type RiskFacts,
  type SessionListFilter,
  type SessionRecord,
  type SessionStore,
  type StoreHealth,
} from './store.js';
import { foldActivity } from './activity.js';
import * as scenarios from './scenarios.js';
import { isThrottling } from './throttled.js';

/** Same value as protocol's `sessionHash`, computed synchronously. */
export const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex').slice(0, SESSION_HASH_LENGTH);

// Constant SQL per filter (never built from user input); the predicates match the partial indexes.
const FILTERS: Record<SessionListFilter, string> = {
  all: 'TRUE',
  throttled: 'throttled',
  high_risk: `risk >= ${HIGH_RISK_THRESHOLD}`,
};

const HEALTH_TIMEOUT_MS = 2000;

/** Never shaped, no write since $1 (epoch ms), not banned now: what `expireIdle` deletes. */
const expirable = (t: string): string =>
  `${t}version = 0 AND ${t}updated_at < ${msToTimestamp('$1::bigint')} AND (${t}banned_until IS NULL OR ${t}banned_until < now())`;

/**
 * The session store on any `SqlClient`: PGlite and PostgreSQL run exactly
 * these statements. Versions are bumped by an upsert, which locks the row,
 * so concurrent changes of one session queue and get consecutive versions.
 */
export class SqlSessionStore implements SessionStore {
  readonly kind: 'pglite' | 'postgres';

  constructor(
    private readonly client: SqlClient,
    /** Words for /health when the database answers. */
    private readonly description: string,
  ) {
    this.kind = client.kind;
  }

  async applyShaping(input: ApplyShapingInput, options: ApplyShapingOptions = {}): Promise<SessionShaping> {
    const { sessionId, state, command } = input;
    return this.client.transaction(async (tx) => {
      const { rows } = await tx.query<SessionRow>(
        `INSERT INTO sessions (id, hash, version, state, throttled) VALUES ($1, $2, 1, $3::jsonb, $4)
         ON CONFLICT (id) DO UPDATE SET version = sessions.version + 1, state = EXCLUDED.state,
           throttled = EXCLUDED.throttled, updated_at = now()
         RETURNING id, version, state, updated_at`,
        [sessionId, hashOf(sessionId), JSON.stringify(state), isThrottling(state)],
      );
      const shaping = toShaping(rows[0]!);
      await tx.query(`INSERT INTO session_commands (session_id, version, kind, body) VALUES ($1, $2, $3, $4::jsonb)`, [
        sessionId,
        shaping.version,
        command.kind,
        JSON.stringify(command.body ?? {}),
      ]);
      await options.beforeCommit?.(shaping);
      return shaping;
    });
  }

  async getShaping(sessionId: string): Promise<SessionShaping | undefined> {
    const { rows } = await this.client.query<SessionRow>(
      'SELECT id, version, state, updated_at FROM sessions WHERE id = $1 AND version > 0',
      [sessionId],
    );
    return rows[0] && toShaping(rows[0]);
  }

  async loadShaping(): Promise<SessionShaping[]> {
    const { rows } = await this.client.query<SessionRow>('SELECT id, version, state, updated_at FROM sessions WHERE version > 0');
    return rows.map(toShaping);
  }

  async recordActivity(items: readonly ActivityItem[]): Promise<RiskFacts[]> {
    if (items.length === 0) return [];
    const merged = mergeActivity(items);
    const { rows } = await this.client.query<RiskRow>(
      `INSERT INTO sessions AS s (id, hash, first_seen, last_seen, requests, bytes_in, bytes_out, violations,
         user_agent, browser, country, banned_until)
       SELECT a.id, a.hash, ${msToTimestamp('a.first_seen')}, ${msToTimestamp('a.last_seen')}, a.requests, a.bytes_in,
         a.bytes_out, a.violations, NULLIF(a.user_agent, ''), NULLIF(a.browser, ''), NULLIF(a.country, ''),
         ${msToTimestamp('a.banned_until')}
       FROM jsonb_to_recordset($1::jsonb) AS a(id text, hash text, first_seen bigint, last_seen bigint, requests bigint,
         bytes_in bigint, bytes_out bigint, violations bigint, user_agent text, browser text, country text, banned_until bigint)
       ORDER BY a.id -- rows locked in one order, so concurrent batches cannot deadlock
       ON CONFLICT (id) DO UPDATE SET
         first_seen = LEAST(s.first_seen, EXCLUDED.first_seen),
         last_seen = GREATEST(s.last_seen, EXCLUDED.last_seen),
         requests = s.requests + EXCLUDED.requests,
         bytes_in = s.bytes_in + EXCLUDED.bytes_in,
         bytes_out = s.bytes_out + EXCLUDED.bytes_out,
         violations = s.violations + EXCLUDED.violations,
         user_agent = COALESCE(EXCLUDED.user_agent, s.user_agent),
         browser = COALESCE(EXCLUDED.browser, s.browser),
         country = COALESCE(EXCLUDED.country, s.country),
         banned_until = GREATEST(s.banned_until, EXCLUDED.banned_until),
         updated_at = now()
       RETURNING ${RISK_COLUMNS}`,
      [JSON.stringify(merged)],
    );
    return rows.map(toRiskFacts);
  }

  async setRisk(scores: readonly { sessionId: string; risk: number }[]): Promise<void> {
    if (scores.length === 0) return;
    const rows = scores.map((s) => ({ id: s.sessionId, risk: Math.max(0, Math.min(100, Math.round(s.risk))) }));
    await this.client.query(
      `UPDATE sessions AS s SET risk = r.risk FROM jsonb_to_recordset($1::jsonb) AS r(id text, risk smallint) WHERE s.id = r.id`,
      [JSON.stringify(rows)],
    );
  }

  async setConsent(sessionId: string, consent: boolean): Promise<RiskFacts> {
    const { rows } = await this.client.query<RiskRow>(
      `INSERT INTO sessions (id, hash, consent) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET consent = EXCLUDED.consent, updated_at = now()
       RETURNING ${RISK_COLUMNS}`,
      [sessionId, hashOf(sessionId), consent],
    );
    return toRiskFacts(rows[0]!);
  }

  async expireIdle(idleSince: number, limit: number): Promise<number> {
    // The conditions are repeated outside the subquery: a row shaped (or touched) while the
    // DELETE waited for its lock is re-checked against its new version and kept.
    const { rows } = await this.client.query<{ id: string }>(
      `DELETE FROM sessions AS s WHERE s.id IN (
         SELECT id FROM sessions WHERE ${expirable('')} ORDER BY updated_at LIMIT $2)
       AND ${expirable('s.')}
       RETURNING s.id`,
      [Math.floor(idleSince), limit],
    );
    // PGlite runs no autovacuum and no checkpointer: without these the deleted rows' space is
    // never reused and the WAL (most of the files after a flood of ids) keeps growing up to
    // max_wal_size. PostgreSQL's own background workers do both there.
    // (Two calls: a script of several statements runs as one transaction, where VACUUM may not.)
    if (rows.length > 0 && this.kind === 'pglite') {
      await this.client.exec('VACUUM sessions');
      await this.client.exec('CHECKPOINT');
    }
    return rows.length;
  }

  async listSessions(filter: SessionListFilter, limit: number): Promise<SessionRecord[]> {
    const { rows } = await this.client.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${FILTERS[filter]}
       ORDER BY last_seen DESC NULLS LAST, updated_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toSessionRecord);
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.client.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [sessionId]);
    return rows[0] && toSessionRecord(rows[0]);
  }

  async findSession(hashOrId: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.client.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE hash = $1 OR id = $1 ORDER BY (hash = $1) DESC LIMIT 1`,
      [hashOrId],
    );
    return rows[0] && toSessionRecord(rows[0]);
  }

  async history(sessionId: string, limit: number): Promise<CommandRecord[]> {
    const { rows } = await this.client.query<CommandRow>(
      'SELECT id, version, kind, body, created_at FROM session_commands WHERE session_id = $1 ORDER BY version DESC LIMIT $2',
      [sessionId, limit],
    );
    return rows.map(toCommandRecord);
  }

  listScenarios(): Promise<ScenarioRecord[]> {
    return scenarios.listScenarios(this.client);
  }

  getScenario(name: string): Promise<ScenarioRecord | undefined> {
    return scenarios.getScenario(this.client, name);
  }

  putScenario(input: PutScenarioInput): Promise<ScenarioRecord> {
    return scenarios.putScenario(this.client, input);
  }

  deleteScenario(name: string): Promise<ScenarioRecord | undefined> {
    return scenarios.deleteScenario(this.client, name);
  }

  async health(): Promise<StoreHealth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.client.query('SELECT 1'), timeout]);
      return { ok: true, detail: this.description };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** One row per session (an upsert may not touch a row twice): deltas added, extremes kept. */
function mergeActivity(items: readonly ActivityItem[]): object[] {
  const bySession = new Map<string, ActivityItem>();
  for (const item of items) {
    const seen = bySession.get(item.sessionId);
    if (seen) foldActivity(seen, item);
    else bySession.set(item.sessionId, { ...item });
  }
  return [...bySession.values()].map((a) => ({
    id: a.sessionId,
    hash: hashOf(a.sessionId),
    // A proxy reports 0 for "not seen yet"; the store keeps NULL for that.
    first_seen: a.firstSeen > 0 ? a.firstSeen : null,
    last_seen: a.lastSeen > 0 ? a.lastSeen : null,
    requests: a.requests,
    bytes_in: a.bytesIn,
    bytes_out: a.bytesOut,
    violations: a.violations,
    user_agent: a.userAgent,
    browser: a.browser,
    country: a.country,
    banned_until: a.bannedUntil ?? null,
  }));
}
