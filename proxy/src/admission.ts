import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '@downspin/protocol';
import type { ProxyContext } from './context.js';
import {
  assignSessionId,
  CLEAR_SESSION_COOKIE,
  MALFORMED_COOKIE,
  MALFORMED_HEADER,
  resolveSessionId,
  sessionCookie,
} from './session/resolve.js';
import { decide, type GateDecision } from './shaping/gates.js';

/**
 * Client connections that have sent a request (or WebSocket handshake):
 * the connection set-up cost (effects/connection.ts) is paid once, by the
 * first. A WeakSet, so a closed socket is forgotten with it; one entry per
 * connection, nothing allocated per request.
 */
const connectedSockets = new WeakSet<Socket>();

export type AdmissionContext = Pick<ProxyContext, 'sessions' | 'guard' | 'addressGuard' | 'logger'>;

/**
 * The one admission step of HTTP requests and WebSocket handshakes: finds
 * the session (a client without one gets a new id and `setCookie`), notes
 * the request, and runs the shaping gates into `decision`. Both paths then
 * act on the same verdict, so an effect added later applies to both.
 *
 * Returns the error to answer when the request is refused before any
 * session exists (a malformed id: the answer clears a malformed cookie, via
 * `decision.headers`); undefined once admitted.
 */
export function admit(
  req: IncomingMessage,
  decision: GateDecision,
  path: string,
  context: AdmissionContext,
): ErrorCode | undefined {
  // Marked first: a refused first request still opened the connection.
  if (!connectedSockets.has(req.socket)) {
    connectedSockets.add(req.socket);
    decision.newConnection = true;
  }
  // Refusals before a session exists go here, and only here: the per-address guard first,
  // so a client rotating session ids cannot get past it.
  const addressRefusal = context.addressGuard.refusal(req.socket.remoteAddress ?? '', decision);
  if (addressRefusal !== undefined) return addressRefusal;
  const resolved = resolveSessionId(req);
  if (resolved === MALFORMED_HEADER || resolved === MALFORMED_COOKIE) {
    if (resolved === MALFORMED_COOKIE) decision.addHeader('set-cookie', CLEAR_SESSION_COOKIE);
    return 'malformed_session_id';
  }
  let id = resolved;
  if (id === undefined) {
    id = assignSessionId();
    decision.setCookie = sessionCookie(id);
  }
  const session = context.sessions.getOrCreate(id);
  decision.session = session;
  session.touch(decision.ts, req.headers['user-agent'], req.socket.remoteAddress);
  decide(decision, session, req.headers.host ?? '', path, context.guard, context.logger);
  return undefined;
}

/** Headers for a refusal of an admitted request: the gates' own plus the new session's cookie. */
export function refusalHeaders(decision: GateDecision): string[] {
  const headers = decision.headers ?? [];
  if (decision.setCookie !== undefined) headers.push('set-cookie', decision.setCookie);
  return headers;
}
