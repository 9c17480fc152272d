import type { FaultKind } from '@downspin/protocol';
import type { Logger } from 'pino';
import { Verdict, type GateContext } from '../effects/index.js';
import type { AbuseGuardOptions } from '../options.js';
import type { SessionRuntime } from '../session/runtime.js';
import type { ShapingPlan } from './plan.js';

/** The decision gates write into, for an HTTP request, a WebSocket handshake or message. */
export class GateDecision implements GateContext {
  message = false;
  /** Set by admission: the first request of its client connection. */
  newConnection = false;
  truncateAfterBytes = -1;
  stallAfterBytes = -1;
  stallMs = 0;
  /** The session admitted (see admission.ts); set before the gates run. */
  session!: SessionRuntime;
  /** Set-Cookie for a newly assigned session id. */
  setCookie: string | undefined;
  verdict: Verdict = Verdict.Forward;
  status = 0;
  fault: FaultKind = '';
  delayMs = 0;
  /** Extra response headers as a flat [name, value, …] list. */
  headers: string[] | undefined;
  /** The plan that shaped this request, if any. */
  plan: ShapingPlan | undefined;
  /** Shaping version and words when the request was decided. */
  shapingVersion = 0;
  shapingLabel = '';

  constructor(
    /** performance.now() at arrival. */
    public now: number,
    /** Date.now() at arrival. */
    public ts: number,
  ) {}

  /** Makes a reused decision (one per WebSocket relay) fresh for the next message. */
  reset(now: number, ts: number): void {
    this.now = now;
    this.ts = ts;
    this.newConnection = false;
    this.truncateAfterBytes = -1;
    this.stallAfterBytes = -1;
    this.stallMs = 0;
    this.verdict = Verdict.Forward;
    this.status = 0;
    this.fault = '';
    this.delayMs = 0;
    this.headers = undefined;
    this.plan = undefined;
    this.shapingLabel = '';
  }

  respond(status: number, fault: FaultKind): void {
    this.verdict = Verdict.Respond;
    this.status = status;
    this.fault = fault;
  }

  addHeader(name: string, value: string): void {
    (this.headers ??= []).push(name, value);
  }
}

/**
 * Decides what happens to a request of `session` to `host` (the Host
 * header) for `path`: terminated and banned sessions are refused, upspin
 * sessions pass, otherwise the plan in force runs its gates when the host
 * and path match its routes. Rate-limit
 * refusals count toward the abuse guard and are answered without latency.
 */
export function decide(
  decision: GateDecision,
  session: SessionRuntime,
  host: string,
  path: string,
  guard: AbuseGuardOptions,
  logger: Logger,
): void {
  decision.shapingVersion = session.version;
  if (session.terminatedReason !== undefined) {
    decision.respond(403, 'terminated');
    return;
  }
  if (session.bannedUntil > decision.ts) {
    decision.respond(403, 'banned');
    decision.addHeader('Retry-After', String(Math.ceil((session.bannedUntil - decision.ts) / 1000)));
    return;
  }
  if (session.upspin) return;
  const active = session.planAt(decision.ts);
  if (active === undefined) return;
  const plan = active.plan;
  if (plan.matchesRoute !== undefined && !plan.matchesRoute(host, path)) return;
  decision.plan = plan;
  decision.shapingLabel = session.label;
  const gates = plan.gates;
  for (let i = 0; i < gates.length; i++) gates[i]!.gate(decision, active.states[plan.gateEffectIndex[i]!]);
  if (decision.fault !== 'rate_limited') return;
  decision.delayMs = 0;
  if (guard.enabled && session.recordViolation(guard.maxViolations, guard.banMs)) {
    logger.warn({ session: session.hash, banMs: guard.banMs }, 'session banned after repeated rate-limit violations');
  }
}
