import { ShapingStateSchema, type SessionShaping, type ShapingState } from '@downspin/protocol';
import type { CommandRecord, RiskFacts, SessionRecord } from './store.js';

/**
 * Turning rows into records. pg returns bigint columns as strings and PGlite
 * as numbers, timestamptz as Date in both; these helpers accept either.
 */

/** An epoch-ms parameter as a timestamptz, exactly (no float rounding of to_timestamp). */
export const msToTimestamp = (param: string): string => `('epoch'::timestamptz + ${param} * interval '1 millisecond')`;

export const SESSION_COLUMNS = `id, hash, version, state, throttled, first_seen, last_seen, requests, bytes_in, bytes_out,
  violations, risk, consent, user_agent, browser, country, banned_until, updated_at`;

export const RISK_COLUMNS = 'id, requests, violations, first_seen, last_seen, user_agent, consent, risk';

export interface SessionRow {
  id: string;
  hash: string;
  version: number;
  state: unknown;
  throttled: boolean;
  first_seen: Date | null;
  last_seen: Date | null;
  requests: number | string;
  bytes_in: number | string;
  bytes_out: number | string;
  violations: number | string;
  risk: number;
  consent: boolean;
  user_agent: string | null;
  browser: string | null;
  country: string | null;
  banned_until: Date | null;
  updated_at: Date;
}

export type RiskRow = Pick<SessionRow, 'id' | 'requests' | 'violations' | 'first_seen' | 'last_seen' | 'user_agent' | 'consent' | 'risk'>;

export interface CommandRow {
  id: number | string;
  version: number;
  kind: string;
  body: unknown;
  created_at: Date;
}

const ms = (date: Date | null): number | null => (date === null ? null : date.getTime());

/** Stored states were validated on the way in; a row that no longer parses reads as unshaped. */
export function parseState(value: unknown): ShapingState {
  const parsed = ShapingStateSchema.safeParse(value);
  return parsed.success ? parsed.data : { mode: 'none' };
}

export function toSessionRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    hash: row.hash,
    version: row.version,
    state: parseState(row.state),
    throttled: row.throttled,
    firstSeen: ms(row.first_seen),
    lastSeen: ms(row.last_seen),
    requests: Number(row.requests),
    bytesIn: Number(row.bytes_in),
    bytesOut: Number(row.bytes_out),
    violations: Number(row.violations),
    risk: row.risk,
    consent: row.consent,
    userAgent: row.user_agent,
    browser: row.browser,
    country: row.country,
    bannedUntil: ms(row.banned_until),
    updatedAt: row.updated_at.getTime(),
  };
}

export function toShaping(row: Pick<SessionRow, 'id' | 'version' | 'state' | 'updated_at'>): SessionShaping {
  return { sessionId: row.id, version: row.version, state: parseState(row.state), updatedAt: row.updated_at.getTime() };
}

export function toRiskFacts(row: RiskRow): RiskFacts {
  return {
    sessionId: row.id,
    requests: Number(row.requests),
    violations: Number(row.violations),
    firstSeen: ms(row.first_seen),
    lastSeen: ms(row.last_seen),
    userAgent: row.user_agent,
    consent: row.consent,
    risk: Number(row.risk),
  };
}

export function toCommandRecord(row: CommandRow): CommandRecord {
  return { id: String(row.id), version: row.version, kind: row.kind, body: row.body, createdAt: row.created_at.getTime() };
}
