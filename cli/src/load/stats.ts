import * as hdr from 'hdr-histogram-js';

/** How one request ended: a status, or a network error kind (ECONNREFUSED, ETIMEDOUT, aborted…). */
export type Outcome = { status: number; ms: number } | { error: string; ms: number };

/** Counts of a second, a phase or the whole run. */
export interface Counts {
  /** Requests sent. */
  sent: number;
  /** Answers 2xx or 3xx. */
  ok: number;
  /** Answers 429. */
  rateLimited: number;
  /** Any other answer, and network errors. */
  other: number;
  /** Requests that were due while `concurrency` were in flight, so not sent. */
  skipped: number;
  /** Mean and 95th percentile latency (send to last body byte) of answers; null without any. */
  avgMs: number | null;
  p95Ms: number | null;
  /** What "other" was, e.g. `{ "status 503": 4, "ECONNREFUSED": 2 }`. */
  otherKinds: Record<string, number>;
}

// Microseconds from 1 µs to 1 h, 3 significant digits: well under 0.1% error.
const HIGHEST_US = 3_600_000_000;

/** Counters and a latency histogram for one span of the run (a second, a phase, the total). */
export class Tally {
  sent = 0;
  ok = 0;
  rateLimited = 0;
  other = 0;
  skipped = 0;
  private otherKinds = new Map<string, number>();
  private readonly latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 });

  /** Counts an outcome; only answers (any status) contribute latency. */
  record(outcome: Outcome): void {
    if ('status' in outcome) {
      this.latency.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(outcome.ms * 1000))));
      if (outcome.status >= 200 && outcome.status < 400) this.ok += 1;
      else if (outcome.status === 429) this.rateLimited += 1;
      else this.countOther(`status ${outcome.status}`);
    } else {
      this.countOther(outcome.error);
    }
  }

  /** Requests answered or failed so far. */
  get finished(): number {
    return this.ok + this.rateLimited + this.other;
  }

  /** True once anything at all happened in this span. */
  get active(): boolean {
    return this.sent + this.finished + this.skipped > 0;
  }

  counts(): Counts {
    const answered = this.latency.totalCount > 0;
    return {
      sent: this.sent,
      ok: this.ok,
      rateLimited: this.rateLimited,
      other: this.other,
      skipped: this.skipped,
      avgMs: answered ? round(this.latency.mean / 1000) : null,
      p95Ms: answered ? round(this.latency.getValueAtPercentile(95) / 1000) : null,
      otherKinds: Object.fromEntries(this.otherKinds),
    };
  }

  reset(): void {
    this.sent = this.ok = this.rateLimited = this.other = this.skipped = 0;
    this.otherKinds.clear();
    this.latency.reset();
  }

  private countOther(kind: string): void {
    this.other += 1;
    this.otherKinds.set(kind, (this.otherKinds.get(kind) ?? 0) + 1);
  }
}

/** Milliseconds to 0.1 ms (below that is noise for an HTTP round trip). */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
