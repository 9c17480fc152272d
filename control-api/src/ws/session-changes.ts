import { randomUUID } from 'node:crypto';
import type { SessionRecord } from '@downspin/db';
import { HIGH_RISK_THRESHOLD, type DashboardAlert } from '@downspin/protocol';

/** What was last shown of a session, to tell when it crosses a line. */
interface Seen {
  risk: number;
  bannedUntil: number | null;
}

export interface SessionChangesOptions {
  /** Changed sessions remembered before the oldest marks are dropped. Default 10 000. */
  maxPending?: number;
  /** Sessions whose last risk is remembered for alerts. Default 100 000. */
  maxKnown?: number;
}

/**
 * The dashboard's bookkeeping: which sessions changed since the last push
 * (a set, so a session busy on every proxy is read once per tick), and the
 * risk each was last shown with, to raise an alert once when it crosses
 * `HIGH_RISK_THRESHOLD` or gets banned. Both are bounded.
 */
export class SessionChanges {
  private readonly pending = new Set<string>();
  private readonly known = new Map<string, Seen>();
  private readonly maxPending: number;
  private readonly maxKnown: number;

  constructor(options: SessionChangesOptions = {}) {
    this.maxPending = options.maxPending ?? 10_000;
    this.maxKnown = options.maxKnown ?? 100_000;
  }

  get size(): number {
    return this.pending.size;
  }

  mark(sessionIds: Iterable<string>): void {
    for (const id of sessionIds) {
      if (this.pending.size >= this.maxPending) return;
      this.pending.add(id);
    }
  }

  /** Up to `limit` changed sessions, oldest marks first; they are no longer pending. */
  take(limit: number): string[] {
    const out: string[] = [];
    for (const id of this.pending) {
      if (out.length >= limit) break;
      out.push(id);
      this.pending.delete(id);
    }
    return out;
  }

  /** Records what a snapshot showed, without alerting. */
  remember(records: readonly SessionRecord[]): void {
    for (const record of records) this.see(record);
  }

  /** The alerts this new state of a session raises (at most one of each kind), and remembers it. */
  alertsFor(record: SessionRecord, now = Date.now()): DashboardAlert[] {
    const before = this.known.get(record.id);
    this.see(record);
    const alerts: DashboardAlert[] = [];
    const at = new Date(now).toISOString();
    if (record.risk >= HIGH_RISK_THRESHOLD && (before === undefined || before.risk < HIGH_RISK_THRESHOLD)) {
      alerts.push({
        id: randomUUID(),
        kind: 'high_risk',
        sessionHash: record.hash,
        risk: record.risk,
        message: `Session ${record.hash} reached risk ${record.risk} (high risk from ${HIGH_RISK_THRESHOLD})${record.browser ? `, ${record.browser}` : ''}`,
        at,
      });
    }
    const banned = record.bannedUntil !== null && record.bannedUntil > now;
    const wasBanned = before?.bannedUntil != null && before.bannedUntil > now;
    if (banned && !wasBanned) {
      alerts.push({
        id: randomUUID(),
        kind: 'banned',
        sessionHash: record.hash,
        risk: record.risk,
        message: `Session ${record.hash} was banned until ${new Date(record.bannedUntil!).toISOString()} for repeated rate-limit violations`,
        at,
      });
    }
    return alerts;
  }

  private see(record: SessionRecord): void {
    this.known.delete(record.id);
    this.known.set(record.id, { risk: record.risk, bannedUntil: record.bannedUntil });
    if (this.known.size > this.maxKnown) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
  }
}
