import type { SessionRecord, SessionStore } from '@downspin/db';
import { HIGH_RISK_THRESHOLD } from '@downspin/protocol';
import { fromStore } from '../store-errors.js';
import { riskReasons, type RiskReason } from './risk-reasons.js';

export type AlertKind = 'high_risk' | 'banned';

/**
 * A bot alert, the shape of the dashboard channel's `alert` message
 * (`DashboardAlert`) plus why: the risk signals that scored.
 */
export interface Alert {
  /** Stable for a session and kind: `high_risk-<hash>`, `banned-<hash>`. */
  id: string;
  kind: AlertKind;
  sessionHash: string;
  risk: number;
  reasons: RiskReason[];
  message: string;
  /** When the session was last seen (ISO 8601). */
  at: string;
  browser: string | null;
  country: string | null;
  bannedUntil: string | null;
}

/** Sessions read per list: the most recently seen, which is where recent alerts are. */
const SCANNED = 1000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function alertOf(kind: AlertKind, record: SessionRecord): Alert {
  const who = `Session ${record.hash}${record.browser ? ` (${record.browser})` : ''}`;
  const message =
    kind === 'high_risk'
      ? `${who} is at risk ${record.risk} (high risk from ${HIGH_RISK_THRESHOLD})`
      : `${who} was banned until ${iso(record.bannedUntil)} for repeated rate-limit violations`;
  return {
    id: `${kind}-${record.hash}`,
    kind,
    sessionHash: record.hash,
    risk: record.risk,
    reasons: riskReasons({ ...record, sessionId: record.id }),
    message,
    at: iso(record.lastSeen ?? record.updatedAt)!,
    browser: record.browser,
    country: record.country,
    bannedUntil: iso(record.bannedUntil),
  };
}

/**
 * Recent bot alerts from the session store, the source every control
 * instance shares: sessions seen in `[from, to)` that are at high risk
 * (`HIGH_RISK_THRESHOLD`, the `high_risk` filter) and sessions whose ban
 * overlapped the range. Most recently seen first.
 */
export async function recentAlerts(store: SessionStore, query: { from: number; to: number; limit: number }): Promise<Alert[]> {
  const [risky, recent] = await fromStore(() => Promise.all([store.listSessions('high_risk', SCANNED), store.listSessions('all', SCANNED)]));
  const seenInRange = (r: SessionRecord) => {
    const seen = r.lastSeen ?? r.updatedAt;
    return seen >= query.from && seen < query.to;
  };
  const alerts = [
    ...risky.filter(seenInRange).map((r) => alertOf('high_risk', r)),
    ...recent.filter((r) => r.bannedUntil !== null && r.bannedUntil >= query.from && seenInRange(r)).map((r) => alertOf('banned', r)),
  ];
  alerts.sort((a, b) => b.at.localeCompare(a.at) || a.id.localeCompare(b.id));
  return alerts.slice(0, query.limit);
}
