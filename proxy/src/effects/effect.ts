import type { FaultKind } from '@downspin/protocol';
import type { RandomGenerator } from '../shaping/random.js';

/**
 * A shaping effect (latency, bandwidth, rate limit, faults): a small object
 * built from its settings and registered by name (see registry.ts). Settings
 * are immutable; what changes per session lives in the state an effect
 * creates (StatefulEffect), so one compiled profile never mixes sessions.
 * Extra abilities are separate small interfaces, checked with the guards.
 * Words for an effect live beside its settings in protocol (explain.ts).
 */
export interface Effect {
  readonly type: string;
}

/** What the proxy does with a request once the gates have run. */
export const enum Verdict {
  Forward = 0,
  /** Answer `status` without calling upstream. */
  Respond = 1,
  /** Destroy the client socket. */
  Reset = 2,
  /** Hold the request until the client gives up. */
  Hold = 3,
}

/** The part of a request's context that gates read and write. */
export interface GateContext {
  /** performance.now() when the request arrived. */
  readonly now: number;
  /**
   * True when the gates decide one message of an open WebSocket (or re-admit
   * it after a shaping change) rather than a request or handshake: an effect
   * that only means something for requests (a rate limit, a status) skips it.
   */
  readonly message: boolean;
  /**
   * True for the first request, or WebSocket handshake, of a client
   * connection (admission marks the socket); false for later requests on it
   * and for WebSocket messages.
   */
  readonly newConnection: boolean;
  /** Response body bytes to pass before the client connection drops; -1: the whole body. */
  truncateAfterBytes: number;
  /** Response body bytes to pass before the body pauses for `stallMs`; -1: no stall. */
  stallAfterBytes: number;
  stallMs: number;
  verdict: Verdict;
  status: number;
  fault: FaultKind;
  /** Latency to add before acting on the verdict. */
  delayMs: number;
  respond(status: number, fault: FaultKind): void;
  /** Adds a response header (rate-limit headers), on refusals and forwarded answers alike. */
  addHeader(name: string, value: string): void;
}

/** Runs before a request goes upstream; may answer, drop or delay it. */
export interface RequestGate<State = unknown> extends Effect {
  /** Lower runs first: rate limits answer before faults are drawn, latency last. */
  readonly gateOrder: number;
  gate(context: GateContext, state: State): void;
}

/** Keeps per-session state (token buckets, counters, random streams). */
export interface StatefulEffect<State = unknown> extends Effect {
  createState(random: RandomGenerator): State;
}

/** Paces bodies through the session's shared link in each direction. */
export interface BodyPacer extends Effect {
  /** Toward the client (response bodies), bytes per second; undefined: unpaced. */
  readonly downBytesPerSecond: number | undefined;
  /** Toward upstream (request bodies), bytes per second; undefined: unpaced. */
  readonly upBytesPerSecond: number | undefined;
}

export function isRequestGate(effect: Effect): effect is RequestGate {
  return typeof (effect as Partial<RequestGate>).gate === 'function';
}

export function isStatefulEffect(effect: Effect): effect is StatefulEffect {
  return typeof (effect as Partial<StatefulEffect>).createState === 'function';
}

export function isBodyPacer(effect: Effect): effect is BodyPacer {
  return 'downBytesPerSecond' in effect && 'upBytesPerSecond' in effect;
}
