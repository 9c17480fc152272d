import type { SessionActivity, SessionShaping } from '@downspin/protocol';
import { MapCursor } from './map-cursor.js';
import { SessionRuntime, supersedes } from './runtime.js';

/** Most entries one eviction looks at, so a full table never costs a long scan on the request path. */
const EVICTION_SCAN = 1000;

export interface SessionTableOptions {
  /** Sessions idle this long leave memory: unshaped ones are forgotten, shaped ones parked. */
  idleMs: number;
  /** Above this many running sessions, the oldest idle ones make room first. */
  maxSessions: number;
}

/** What a parked session keeps: its shaping, nothing else. */
type Parked = Pick<SessionShaping, 'version' | 'state'>;

/**
 * The proxy's sessions by id. A running session has a runtime (its compiled
 * plan, links, counters: about 1.6 KiB); idle ones leave it, so clients
 * without cookies (curl, load tools) and a team's finished test sessions
 * cannot grow the proxy forever. An unshaped idle session is forgotten. A
 * shaped one is parked: only its shaping stays (about 150 bytes), and its
 * next request builds the runtime again from it, synchronously, so a parked
 * session is never served unshaped and nothing waits for the store. Shaping
 * for a session without a runtime (loaded at start, or a command for a
 * session not seen yet) is parked the same way.
 */
export class SessionTable {
  private readonly sessions = new Map<string, SessionRuntime>();
  private readonly parked = new Map<string, Parked>();
  /** Each walk resumes where it stopped (map-cursor.ts says why). */
  private readonly evictionCursor = new MapCursor(this.sessions);
  private readonly sweepCursor = new MapCursor(this.sessions);
  private readonly activityCursor = new MapCursor(this.sessions);

  constructor(private readonly options: SessionTableOptions) {}

  /** Running sessions (with a runtime). */
  get size(): number {
    return this.sessions.size;
  }

  /** Shaped sessions without a runtime. */
  get parkedSize(): number {
    return this.parked.size;
  }

  /** A running session; undefined for a parked or unknown one. */
  get(id: string): SessionRuntime | undefined {
    return this.sessions.get(id);
  }

  /** The shaping version this proxy holds for a session, running or parked (0: none). */
  versionOf(id: string): number {
    return this.sessions.get(id)?.version ?? this.parked.get(id)?.version ?? 0;
  }

  getOrCreate(id: string): SessionRuntime {
    let session = this.sessions.get(id);
    if (session === undefined) {
      if (this.sessions.size >= this.options.maxSessions) this.evictOldest();
      session = new SessionRuntime(id);
      const parked = this.parked.get(id);
      if (parked !== undefined) {
        this.parked.delete(id);
        session.applyShaping(parked);
      }
      this.sessions.set(id, session);
    }
    return session;
  }

  /**
   * Applies shaping that supersedes what the session holds, to its runtime
   * when it runs, else to its parked entry. Returns the running session
   * (undefined when parked) and whether the shaping was applied.
   */
  apply(shaping: SessionShaping): { applied: boolean; running: SessionRuntime | undefined } {
    const running = this.sessions.get(shaping.sessionId);
    if (running !== undefined) return { applied: running.applyShaping(shaping), running };
    const parked = this.parked.get(shaping.sessionId);
    if (parked !== undefined && !supersedes(shaping, parked)) return { applied: false, running };
    this.parked.set(shaping.sessionId, { version: shaping.version, state: shaping.state });
    return { applied: true, running };
  }

  values(): IterableIterator<SessionRuntime> {
    return this.sessions.values();
  }

  /**
   * Activity since the last call of the next `walk` sessions (all by
   * default), at most `limit` entries, taken into `into`. The walk goes on
   * from where the last one stopped, so with more active sessions than one
   * report holds none waits behind the others for long, and a caller can
   * split a large table into short tasks.
   */
  takeActivity(limit: number, walk = this.sessions.size, into: SessionActivity[] = []): SessionActivity[] {
    const steps = Math.min(walk, this.sessions.size);
    for (let i = 0; i < steps && into.length < limit; i++) {
      const activity = this.activityCursor.next()?.[1].takeActivity();
      if (activity !== undefined) into.push(activity);
    }
    return into;
  }

  /**
   * Of the next `walk` sessions (all by default, resuming where the last
   * sweep stopped), those idle for longer than idleMs (epoch ms clock) leave
   * memory: unshaped ones are forgotten, shaped ones parked. Returns how many left.
   */
  sweep(epochNow: number, walk = this.sessions.size): number {
    let removed = 0;
    const steps = Math.min(walk, this.sessions.size);
    for (let i = 0; i < steps; i++) {
      const [id, session] = this.sweepCursor.next()!;
      if (epochNow - session.lastSeen > this.options.idleMs && this.leave(id, session, epochNow, false)) removed++;
    }
    return removed;
  }

  /**
   * Forgets an unshaped session or parks a shaped one, unless it must stay:
   * open WebSockets or a ban in force always keep it. An idle sweep also
   * waits for its requests to end and its activity to be reported, and keeps
   * an unshaped session that was ever banned (its ban counts on). A full
   * table (`pressed`) takes unshaped sessions whatever they are doing, as it
   * always did; a shaped one only with no request running, which would go
   * on using the old runtime's links beside a new one. Returns false when it stays.
   */
  private leave(id: string, session: SessionRuntime, epochNow: number, pressed: boolean): boolean {
    if (session.webSockets.size > 0 || session.bannedUntil > epochNow) return false;
    const shaped = session.holdsShaping;
    if (!pressed) {
      if (session.inFlight > 0 || session.hasActivityToReport || (!shaped && session.bannedUntil !== 0)) return false;
    } else if (shaped && session.inFlight > 0) {
      return false;
    }
    if (shaped) this.parked.set(id, { version: session.version, state: session.state });
    this.sessions.delete(id);
    return true;
  }

  /**
   * Map order is insertion order: the first entries are the oldest. Sessions
   * that must stay (a request running, open WebSockets, a ban) are moved to
   * the back as the scan passes them; left in front, a thousand of them
   * would hide every idle session behind them from each later scan, and the
   * table would grow without bound (#12.6). Shaped sessions are parked, not
   * forgotten.
   */
  private evictOldest(): void {
    const now = Date.now();
    for (let scanned = 0; scanned < EVICTION_SCAN; scanned++) {
      const next = this.evictionCursor.next();
      if (next === undefined) return;
      const [id, session] = next;
      if (!this.leave(id, session, now, true)) {
        this.sessions.delete(id);
        this.sessions.set(id, session);
        continue;
      }
      if (this.sessions.size < this.options.maxSessions) return;
    }
  }
}
