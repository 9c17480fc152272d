import type { IncomingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, the client's
 * to the proxy, and are never forwarded. Transfer-Encoding is one too, but is
 * kept: Node's client frames the forwarded body as chunked only when it sees
 * it (dropping it would send a chunked DELETE body unframed: smuggling).
 */
const HOP_BY_HOP = ['keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade'] as const;

/**
 * Never removed even when a client names them in Connection: the request's
 * framing and routing. `Connection: close, Content-Length` must not turn a
 * body into the next request.
 */
const NEVER_NAMED = new Set(['host', 'content-length', 'transfer-encoding']);

/**
 * The lower-case header names a Connection header lists (other than the
 * `close` and `keep-alive` options), which the client meant for the proxy only.
 */
export function namedInConnection(connection: string | string[] | undefined): Set<string> {
  const named = new Set<string>();
  if (connection === undefined) return named;
  for (const token of String(connection).split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive' && !NEVER_NAMED.has(name)) named.add(name);
  }
  return named;
}

/**
 * The request headers to forward: without hop-by-hop headers and without
 * those the Connection header names. Connection itself is reduced to `close`
 * when the client asked for it (the response pass reads it), else dropped.
 * Returns the same object when there is nothing to strip, which is the
 * common case (no Connection, or just `keep-alive` or `close`), so most
 * requests allocate nothing here.
 */
export function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const connection = headers.connection;
  let plain = connection === undefined || connection === 'keep-alive' || connection === 'close';
  for (let i = 0; plain && i < HOP_BY_HOP.length; i++) plain = headers[HOP_BY_HOP[i]!] === undefined;
  if (plain) return headers;
  const named = namedInConnection(connection);
  const copy: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (name === 'connection' || named.has(name) || (HOP_BY_HOP as readonly string[]).includes(name)) continue;
    copy[name] = headers[name];
  }
  if (connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(String(connection))) copy.connection = 'close';
  return copy;
}
