import type { SessionRecord } from '@downspin/db';
import { explainShaping, type SessionView } from '@downspin/protocol';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A session as the API shows it: by hash, never by id. */
export function toSessionView(record: SessionRecord): SessionView {
  return {
    hash: record.hash,
    mode: record.state.mode,
    shaping: explainShaping(record.state),
    ...('scenario' in record.state && record.state.scenario ? { scenario: record.state.scenario } : {}),
    throttled: record.throttled,
    version: record.version,
    userAgent: record.userAgent,
    browser: record.browser,
    country: record.country,
    firstSeen: iso(record.firstSeen),
    lastSeen: iso(record.lastSeen),
    requests: record.requests,
    bytesIn: record.bytesIn,
    bytesOut: record.bytesOut,
    violations: record.violations,
    risk: record.risk,
    consent: record.consent,
    bannedUntil: iso(record.bannedUntil),
  };
}
