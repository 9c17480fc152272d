import type { Bus } from '@downspin/bus';
import { foldActivity, type ActivityItem, type RiskFacts, type SessionStore } from '@downspin/db';
import type { SessionActivity } from '@downspin/protocol';
import type { Logger } from 'pino';
import { browserFamily } from '../sessions/browser.js';
import { riskScore } from '../sessions/risk.js';

/** The score as the store keeps it (`setRisk` rounds and clamps), to compare with the stored one. */
const storedRisk = (risk: number): number => Math.max(0, Math.min(100, Math.round(risk)));

export interface ActivityIngestorOptions {
  store: SessionStore;
  logger: Logger;
  /** Country code for an IP; "" when unknown. */
  countryOf: (ip: string) => string;
  /** How often buffered activity is written. Default 1000 ms. */
  flushMs?: number;
  /** Sessions held while the store is down; activity of further sessions is dropped and counted. Default 50 000. */
  maxPendingSessions?: number;
  riskOf?: (facts: RiskFacts) => number;
  /** Told which sessions a flush wrote (the dashboard pushes them). */
  onWritten?: (sessionIds: string[]) => void;
}

export interface ActivityIngestorStats {
  pendingSessions: number;
  flushes: number;
  /** Session reports dropped because the buffer was full. */
  dropped: number;
  lastError: string | undefined;
}

/**
 * Folds the proxies' `activity` reports into the session store, off the
 * request path: reports are merged per session in memory and written as one
 * batch upsert per `flushMs`, then each touched session's risk score is
 * recomputed. When the store fails, the batch goes back into the buffer
 * (deltas still add up) and is retried on the next tick.
 */
export class ActivityIngestor {
  private pending = new Map<string, ActivityItem>();
  /** Totals of sessions whose activity is stored but whose risk score is not yet. */
  private readonly unscored = new Map<string, RiskFacts>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly stats_: ActivityIngestorStats = { pendingSessions: 0, flushes: 0, dropped: 0, lastError: undefined };
  private readonly maxPending: number;
  private readonly riskOf: (facts: RiskFacts) => number;

  constructor(private readonly options: ActivityIngestorOptions) {
    this.maxPending = options.maxPendingSessions ?? 50_000;
    this.riskOf = options.riskOf ?? riskScore;
  }

  async start(bus: Bus): Promise<() => Promise<void>> {
    const unsubscribe = await bus.subscribe('activity', (message) => this.add(message.sessions));
    this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? 250);
    this.timer.unref();
    return unsubscribe;
  }

  /** Buffers reports; browser family and country are derived here, once per report. */
  add(reports: readonly SessionActivity[]): void {
    for (const report of reports) {
      this.merge({
        sessionId: report.sessionId,
        firstSeen: report.firstSeen,
        lastSeen: report.lastSeen,
        requests: report.requests,
        bytesIn: report.bytesIn,
        bytesOut: report.bytesOut,
        violations: report.violations,
        userAgent: report.userAgent,
        browser: browserFamily(report.userAgent),
        country: report.ip === '' ? '' : this.options.countryOf(report.ip),
        bannedUntil: report.bannedUntil,
      });
    }
  }

  /** Writes everything buffered; concurrent calls share one write. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  stats(): ActivityIngestorStats {
    return { ...this.stats_, pendingSessions: this.pending.size };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0 && this.unscored.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    let facts: RiskFacts[] = [];
    try {
      if (batch.length > 0) facts = await this.options.store.recordActivity(batch);
    } catch (error) {
      this.failed(error, batch.length);
      for (const item of batch) this.merge(item);
      return;
    }
    // The deltas are stored now: from here on a failure must not add them again.
    for (const f of facts) this.unscored.set(f.sessionId, f);
    const scoring = [...this.unscored.values()];
    // Most reports leave a session's score where it was: only the scores that move are written.
    const changed = scoring
      .map((f) => ({ sessionId: f.sessionId, risk: this.riskOf(f), was: f.risk }))
      .filter((s) => s.was === undefined || storedRisk(s.risk) !== s.was);
    try {
      if (changed.length > 0) await this.options.store.setRisk(changed.map(({ sessionId, risk }) => ({ sessionId, risk })));
      for (const f of scoring) if (this.unscored.get(f.sessionId) === f) this.unscored.delete(f.sessionId);
      this.stats_.flushes++;
      this.stats_.lastError = undefined;
    } catch (error) {
      // Scored on the next flush (bounded like the activity buffer).
      this.failed(error, scoring.length);
      while (this.unscored.size > this.maxPending) this.unscored.delete(this.unscored.keys().next().value!);
    }
    try {
      if (facts.length > 0) this.options.onWritten?.(facts.map((f) => f.sessionId));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'an activity listener failed');
    }
  }

  private failed(error: unknown, sessions: number): void {
    this.stats_.lastError = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ err: error, sessions }, 'could not record session activity; will retry');
  }

  private merge(item: ActivityItem): void {
    const seen = this.pending.get(item.sessionId);
    if (!seen) {
      if (this.pending.size >= this.maxPending) {
        this.stats_.dropped++;
        return;
      }
      this.pending.set(item.sessionId, { ...item });
      return;
    }
    foldActivity(seen, item);
  }
}
