import type { Logger } from 'pino';
import type { AbuseGuardOptions } from '../options.js';
import type { SessionRuntime } from '../session/runtime.js';
import { decide, GateDecision } from './gates.js';

/**
 * Decides one message of an open WebSocket, or the socket itself when the
 * session's shaping changes, with the same gates as a request (decide), so
 * an effect applies to requests and messages alike without a second copy:
 * Reset drops the connection, Hold stalls it, Respond (terminated, banned)
 * closes it, Forward delivers after `delayMs`, paced through the session's
 * link when `plan` is set. Effects see `message` and skip what only means
 * something for a request (rate limits, failFirst, error statuses).
 *
 * Latency is a round trip, as DevTools presets define it: a request waits
 * it once, and a message, which crosses the proxy one way, waits half the
 * drawn latency, so an echo (one message each way) waits it once in total.
 */
export function decideMessage(
  decision: GateDecision,
  session: SessionRuntime,
  host: string,
  path: string,
  guard: AbuseGuardOptions,
  logger: Logger,
): void {
  decision.reset(performance.now(), Date.now());
  decision.message = true;
  decision.session = session;
  decide(decision, session, host, path, guard, logger);
  decision.delayMs /= 2;
}

/** A decision to reuse for every message of one relay: no allocation per message. */
export function messageDecision(session: SessionRuntime): GateDecision {
  const decision = new GateDecision(0, 0);
  decision.message = true;
  decision.session = session;
  return decision;
}
