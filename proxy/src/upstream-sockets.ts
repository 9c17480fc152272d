import type http from 'node:http';
import type { Socket } from 'node:net';

/**
 * How long an idle kept-alive upstream socket stays in its agent's pool.
 * Node's agent also closes it a second before the timeout a server announces
 * (`Keep-Alive: timeout=5`, as Node and Apache send), but only when an agent
 * timeout is set at all: without one, idle sockets live until the server
 * closes them, and a request can be written onto a socket the server is
 * closing at that moment.
 */
export const IDLE_UPSTREAM_SOCKET_MS = 30_000;

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the retry decision reads of a request: ProxiedRequest's notes (not imported: connection.ts reaches this module through forward/). */
interface TriedRequest {
  readonly method?: string | undefined;
  readonly upstreamReused: boolean;
  readonly withBody: boolean;
}

/**
 * Whether a request that failed upstream may be sent again. Only when the
 * failed try went out on a kept-alive socket (the server closed it as it was
 * reused: no server had seen the request to answer it), nothing has been
 * written to the client, and the request is a safe one without a body, so
 * sending it twice cannot do anything twice. Node's docs advise the same
 * under `request.reusedSocket`. Each such try uses up one pooled socket, so
 * tries end when the pool does: a failure on a new socket is the client's 502.
 */
export function mayTryAgain(error: NodeJS.ErrnoException, req: TriedRequest, res: http.ServerResponse | Socket): res is http.ServerResponse {
  return (
    req.upstreamReused &&
    error.code !== undefined &&
    RETRYABLE_CODES.has(error.code) &&
    'headersSent' in res &&
    !res.headersSent &&
    !res.destroyed &&
    SAFE_METHODS.has(req.method ?? '') &&
    !req.withBody
  );
}
