import type { SessionActivity } from '@downspin/protocol';
import { SessionRuntime } from './runtime.js';

/** Most entries one eviction looks at, so a full table never costs a long scan on the request path. */
const EVICTION_SCAN = 1000;

export interface SessionTableOptions {
  /** Unshaped sessions idle this long are forgotten. */
  idleMs: number;
  /** Above this many sessions, the oldest unshaped ones are forgotten first. */
  maxSessions: number;
}

/**
 * The proxy's sessions by id. Sessions with shaping in force stay; the others
 * are forgotten when idle or when the table is full, so clients without
 * cookies (curl, load tools) and finished test sessions cannot grow it forever.
 */
export class SessionTable {
  private readonly sessions = new Map<string, SessionRuntime>();

  constructor(private readonly options: SessionTableOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): SessionRuntime | undefined {
    return this.sessions.get(id);
  }

  getOrCreate(id: string): SessionRuntime {
    let session = this.sessions.get(id);
    if (session === undefined) {
      if (this.sessions.size >= this.options.maxSessions) this.evictOldest();
      session = new SessionRuntime(id);
      this.sessions.set(id, session);
    }
    return session;
  }

  values(): IterableIterator<SessionRuntime> {
    return this.sessions.values();
  }

  /** Activity of every session since the last call, at most `limit` entries. */
  takeActivity(limit: number): SessionActivity[] {
    const out: SessionActivity[] = [];
    for (const session of this.sessions.values()) {
      if (out.length >= limit) break;
      const activity = session.takeActivity();
      if (activity) out.push(activity);
    }
    return out;
  }

  /** Forgets unshaped sessions idle for longer than idleMs (epoch ms clock). */
  sweep(epochNow: number): number {
    let removed = 0;
    for (const [id, session] of this.sessions) {
      if (this.isDisposable(session) && epochNow - session.lastSeen > this.options.idleMs) {
        this.sessions.delete(id);
        removed++;
      }
    }
    return removed;
  }

  private isDisposable(session: SessionRuntime): boolean {
    return (
      !session.holdsShaping &&
      session.webSockets.size === 0 &&
      session.requests === 0 &&
      session.bytesIn === 0 &&
      session.bytesOut === 0 &&
      session.bannedUntil === 0
    );
  }

  /**
   * Map order is insertion order: the first entries are the oldest. Sessions
   * that must stay (shaping in force, open WebSockets, a ban running) are
   * moved to the back as the scan passes them; left in front, a thousand of
   * them would hide every disposable session behind them from each later
   * scan, and the table would grow without bound (#12.6). A ban is kept so
   * that a flood of new ids cannot wash it out.
   */
  private evictOldest(): void {
    const now = Date.now();
    let scanned = 0;
    for (const [id, session] of this.sessions) {
      if (++scanned > EVICTION_SCAN) break;
      this.sessions.delete(id);
      if (session.holdsShaping || session.webSockets.size > 0 || session.bannedUntil > now) {
        this.sessions.set(id, session);
        continue;
      }
      if (this.sessions.size < this.options.maxSessions) return;
    }
  }
}
