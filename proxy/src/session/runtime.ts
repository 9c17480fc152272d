import { hash } from 'node:crypto';
import {
  explainShaping,
  explainTimelineStep,
  SESSION_HASH_LENGTH,
  downspinProfile,
  type SessionActivity,
  type SessionShaping,
  type ShapingState,
} from '@downspin/protocol';
import { SharedLink } from '../pacing/shared-link.js';
import { activate, ShapingPlan, type ActivePlan } from '../shaping/plan.js';

/** An open connection of a session (a WebSocket relay): terminate closes it, a shaping change re-decides it. */
export interface Closable {
  close(code: number, reason: string): void;
  /** The plan in force changed (a command, a timeline step): apply it to the open connection now. */
  shapingChanged(): void;
}

/** setTimeout's longest delay; a later timeline step is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface TimelineRun {
  startedAt: number;
  atMs: readonly number[];
  plans: readonly ShapingPlan[];
  /** Index of the active step, -1 before the first. */
  index: number;
}

const NO_SHAPING: ShapingState = { mode: 'none' };

/**
 * Whether `next` replaces `held`: a newer version does; an older one, or the
 * same version with the same state (a repeat), does not. The same version
 * with another state does: a command whose store commit failed after it was
 * published leaves a version the store hands out again, and the store's is
 * the one that counts. Running and parked sessions decide alike.
 */
export function supersedes(next: Pick<SessionShaping, 'version' | 'state'>, held: Pick<SessionShaping, 'version' | 'state'>): boolean {
  if (next.version !== held.version) return next.version > held.version;
  return JSON.stringify(next.state) !== JSON.stringify(held.state);
}

export function hashSessionId(id: string): string {
  // One-shot: a third of createHash().update().digest()'s cost, paid for every new session.
  return hash('sha256', id, 'hex').slice(0, SESSION_HASH_LENGTH);
}

/**
 * Everything the proxy keeps about one session: its shaping (compiled), the
 * effects' state, the shared link per direction, abuse counters and what
 * happened since the last activity report.
 */
export class SessionRuntime {
  readonly hash: string;
  version = 0;
  state: ShapingState = NO_SHAPING;
  /** Words for the shaping in force, for telemetry. */
  label = '';
  /** Upspin sessions (full speed) skip every effect and the abuse guard. */
  upspin = false;
  terminatedReason: string | undefined;
  bannedUntil = 0;
  violations = 0;
  private active: ActivePlan | undefined;
  private timeline: TimelineRun | undefined;
  private upLink: SharedLink | undefined;
  private downLink: SharedLink | undefined;
  /** Open WebSockets; add and remove through addWebSocket / removeWebSocket. */
  readonly webSockets = new Set<Closable>();
  /** Bytes the session's WebSocket relays hold, for the per-session bound. */
  webSocketQueuedBytes = 0;
  private stepTimer: NodeJS.Timeout | undefined;
  private notifyQueued = false;

  // Activity since the last report (deltas), and what identifies the client.
  firstSeen = 0;
  lastSeen = 0;
  requests = 0;
  bytesIn = 0;
  bytesOut = 0;
  violationsSinceReport = 0;
  banReported = true;
  userAgent = '';
  ip = '';
  /** Requests (and handshakes) admitted and not yet answered: a session with one running is never parked. */
  inFlight = 0;

  constructor(readonly id: string) {
    this.hash = hashSessionId(id);
  }

  /** Notes that a request (or WebSocket handshake) of this session arrived; it counts once answered (recordRequest). */
  touch(ts: number, userAgent: string | undefined, ip: string | undefined): void {
    this.inFlight++;
    if (this.firstSeen === 0) this.firstSeen = ts;
    this.lastSeen = ts;
    if (userAgent !== undefined) this.userAgent = userAgent;
    if (ip !== undefined) this.ip = ip;
  }

  /**
   * True while the session has shaping in force (it must not be forgotten).
   * A session put back to none may be: the store still has its state.
   */
  get holdsShaping(): boolean {
    return this.state.mode !== 'none' && !(this.state.mode === 'profile' && this.active === undefined);
  }

  /**
   * Applies a shaping version that supersedes the one held (see
   * `supersedes`), so repeated or reordered commands are harmless. Returns
   * true when applied.
   */
  applyShaping(shaping: Pick<SessionShaping, 'version' | 'state'>): boolean {
    if (!supersedes(shaping, this)) return false;
    this.version = shaping.version;
    this.state = shaping.state;
    this.upspin = shaping.state.mode === 'upspin';
    this.terminatedReason = shaping.state.mode === 'terminated' ? shaping.state.reason : undefined;
    this.timeline = undefined;
    this.active = undefined;
    const state = shaping.state;
    if (state.mode === 'downspin') {
      this.active = activate(new ShapingPlan(downspinProfile(state.latencyMs), explainShaping(state)));
    } else if (state.mode === 'profile') {
      const plan = new ShapingPlan(state.profile, explainShaping(state));
      this.active = plan.isEmpty ? undefined : activate(plan);
    } else if (state.mode === 'timeline') {
      this.timeline = {
        startedAt: state.startedAt,
        atMs: state.steps.map((step) => step.atMs),
        plans: state.steps.map((step, i) => new ShapingPlan(step.profile, explainTimelineStep(state.steps, i, state.scenario))),
        index: -1,
      };
    }
    this.label = this.active ? this.active.plan.label : state.mode === 'none' ? '' : explainShaping(state);
    if (this.upspin) this.bannedUntil = 0;
    this.syncLinks();
    this.planChanged();
    return true;
  }

  /** The plan in force at `epochNow` (timelines advance by the clock), if any. */
  planAt(epochNow: number): ActivePlan | undefined {
    const timeline = this.timeline;
    if (timeline === undefined) return this.active;
    const elapsed = epochNow - timeline.startedAt;
    let index = timeline.index;
    while (index + 1 < timeline.atMs.length && timeline.atMs[index + 1]! <= elapsed) index++;
    if (index !== timeline.index) {
      timeline.index = index;
      const plan = timeline.plans[index]!;
      this.active = plan.isEmpty ? undefined : activate(plan);
      this.label = plan.label;
      this.syncLinks();
      this.planChanged();
    }
    return this.active;
  }

  addWebSocket(socket: Closable): void {
    this.webSockets.add(socket);
    this.scheduleTimelineStep();
  }

  removeWebSocket(socket: Closable): void {
    this.webSockets.delete(socket);
    if (this.webSockets.size === 0 && this.stepTimer !== undefined) {
      clearTimeout(this.stepTimer);
      this.stepTimer = undefined;
    }
  }

  /**
   * Counts an answered request with its bytes, in the same activity report: a
   * request counted in one report and its bytes in the next would let a reader
   * (the fixture's stats()) see the request and miss its bytes.
   */
  recordRequest(bytesIn: number, bytesOut: number): void {
    this.inFlight--;
    this.requests++;
    this.recordBytes(bytesIn, bytesOut);
  }

  /** Adds bytes the proxy moved for this session (HTTP and WebSocket alike) to the next activity report. */
  recordBytes(bytesIn: number, bytesOut: number): void {
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
  }

  /**
   * Tells open WebSockets the plan changed, after the current call stack:
   * planAt runs inside the gates, and a relay deciding a message must not
   * be re-entered (and possibly closed) from within that decision.
   */
  private planChanged(): void {
    this.scheduleTimelineStep();
    if (this.webSockets.size === 0 || this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(this.notifyWebSockets);
  }

  private readonly notifyWebSockets = (): void => {
    this.notifyQueued = false;
    for (const socket of [...this.webSockets]) socket.shapingChanged();
  };

  /**
   * A timeline advances when the clock passes a step; requests notice it on
   * their own, but an open WebSocket with no traffic must be told at that
   * moment (a step to offline drops it), so while one is open a timer wakes
   * at the next step.
   */
  private scheduleTimelineStep(): void {
    if (this.stepTimer !== undefined) {
      clearTimeout(this.stepTimer);
      this.stepTimer = undefined;
    }
    const timeline = this.timeline;
    if (timeline === undefined || this.webSockets.size === 0) return;
    const next = timeline.index + 1;
    if (next >= timeline.atMs.length) return;
    const wait = timeline.startedAt + timeline.atMs[next]! - Date.now();
    this.stepTimer = setTimeout(this.onTimelineStep, Math.min(MAX_TIMER_MS, Math.max(0, wait)));
    this.stepTimer.unref();
  }

  private readonly onTimelineStep = (): void => {
    this.stepTimer = undefined;
    const index = this.timeline?.index;
    this.planAt(Date.now());
    // Not yet at the step (a timer capped at MAX_TIMER_MS): wait again.
    if (this.timeline?.index === index) this.scheduleTimelineStep();
  };

  /** The link toward the client, when the plan in force paces responses. */
  linkDown(): SharedLink | undefined {
    const rate = this.active?.plan.downBytesPerSecond;
    if (rate === undefined) return undefined;
    return (this.downLink ??= new SharedLink(rate));
  }

  /** The link toward upstream, when the plan in force paces request bodies. */
  linkUp(): SharedLink | undefined {
    const rate = this.active?.plan.upBytesPerSecond;
    if (rate === undefined) return undefined;
    return (this.upLink ??= new SharedLink(rate));
  }

  /** Counts a rate-limit violation; returns true when it bans the session. */
  recordViolation(maxViolations: number, banMs: number): boolean {
    this.violations++;
    this.violationsSinceReport++;
    if (this.violations < maxViolations) return false;
    this.violations = 0;
    this.bannedUntil = Date.now() + banMs;
    this.banReported = false;
    return true;
  }

  /**
   * True while there is activity the next report must carry. Bytes count on
   * their own: a response (or WebSocket message) that ends after the report of
   * its request still counts.
   */
  get hasActivityToReport(): boolean {
    return this.requests !== 0 || this.bytesIn !== 0 || this.bytesOut !== 0 || this.violationsSinceReport !== 0 || !this.banReported;
  }

  /** Takes the activity since the last report, or undefined when there was none. */
  takeActivity(): SessionActivity | undefined {
    if (!this.hasActivityToReport) return undefined;
    const activity: SessionActivity = {
      sessionId: this.id,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      requests: this.requests,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      violations: this.violationsSinceReport,
      userAgent: this.userAgent.slice(0, 512),
      ip: this.ip.slice(0, 64),
    };
    if (!this.banReported) activity.bannedUntil = this.bannedUntil;
    this.requests = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.violationsSinceReport = 0;
    this.banReported = true;
    return activity;
  }

  /** Links keep running across shaping changes: in-flight bodies finish at the new rate. */
  private syncLinks(): void {
    const plan = this.active?.plan;
    this.downLink?.setRate(plan?.downBytesPerSecond ?? Infinity);
    this.upLink?.setRate(plan?.upBytesPerSecond ?? Infinity);
  }
}
