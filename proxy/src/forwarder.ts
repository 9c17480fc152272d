import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type tls from 'node:tls';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import { setupOutgoing, type Outgoing } from 'http-proxy-3/dist/lib/http-proxy/common.js';
import { XHeaders } from 'http-proxy-3/dist/lib/http-proxy/passes/web-incoming.js';
import { OUTGOING_PASSES } from 'http-proxy-3/dist/lib/http-proxy/passes/web-outgoing.js';
import type { ProxiedRequest } from './connection.js';
import { withoutHopByHop } from './hop-by-hop.js';
import { IDLE_UPSTREAM_SOCKET_MS, mayTryAgain } from './upstream-sockets.js';

export interface ForwarderOptions {
  target: URL;
  /** Accept a target certificate that does not verify. */
  insecure: boolean;
  /** TLS context of upstream connections (system roots plus --upstream-ca); undefined: Node's default. */
  secureContext?: tls.SecureContext;
  /** Called with the upstream response, headers not yet written to the client. */
  onResponse(proxyRes: http.IncomingMessage, req: http.IncomingMessage, res: http.ServerResponse): void;
  /** Upstream could not be reached or failed before answering. */
  onError(error: NodeJS.ErrnoException, req: http.IncomingMessage, res: http.ServerResponse | Socket): void;
}

export interface Forwarder {
  /** Sends the request upstream; `body` replaces the request stream (paced uploads). */
  forward(req: http.IncomingMessage, res: http.ServerResponse, body?: NodeJS.ReadableStream): void;
  /** Writes the upstream status and headers onto the client response (after rewriting). */
  writeHead(proxyRes: http.IncomingMessage, req: http.IncomingMessage, res: http.ServerResponse): void;
  readonly agent: http.Agent;
  /** Requests sent upstream again because a kept-alive socket closed as it was reused (mayTryAgain). */
  readonly upstreamRetries: number;
  close(): void;
}

/**
 * Forwarding through http-proxy-3 (a maintained http-proxy fork), with
 * keep-alive to upstream, X-Forwarded-* set, Host rewritten to the target
 * (which also gives https targets the right SNI) and redirects and cookie
 * domains rewritten back to the proxy.
 *
 * Its `deleteLength` pass is removed: for a DELETE/OPTIONS without
 * Content-Length it sets Content-Length: 0 and drops Transfer-Encoding while
 * still streaming the chunked body, so the upstream reads the body as a
 * second request (request smuggling). A pass stripping hop-by-hop headers
 * (and those named in Connection) runs before X-Forwarded-* is set.
 *
 * A request forward mode routed carries its upstream (agent and options,
 * made once per host): it goes there, without the reverse-mode rewriting of
 * redirects and cookies. Reverse-mode requests pass no options, so nothing
 * is allocated for them here.
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const secure = options.target.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxFreeSockets: 256,
        scheduling: 'lifo',
        timeout: IDLE_UPSTREAM_SOCKET_MS,
        rejectUnauthorized: !options.insecure,
        // A context, not a `ca` list: the agent keys its pools by a string of every option it knows, `ca` included (the
        // whole root store, per request), and would parse the list again for each new connection.
        ...(options.secureContext === undefined ? {} : { secureContext: options.secureContext }),
      })
    : new http.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo', timeout: IDLE_UPSTREAM_SOCKET_MS });
  const proxyOptions = {
    // A URL object, not a string: http-proxy parses string targets again on every request.
    target: options.target,
    agent,
    changeOrigin: true,
    xfwd: true,
    secure: !options.insecure,
    selfHandleResponse: true,
    autoRewrite: true,
    protocolRewrite: 'http',
    cookieDomainRewrite: { '*': '' },
  };
  const proxy: ProxyServer = createProxyServer(proxyOptions);
  withoutDeleteLength(proxy);
  withHopByHopStripped(proxy);
  proxy.on('proxyRes', options.onResponse);
  proxy.on('proxyReq', noteReuse);
  let upstreamRetries = 0;
  proxy.on('error', (error: NodeJS.ErrnoException, req: http.IncomingMessage, res: http.ServerResponse | Socket) => {
    const proxied = req as ProxiedRequest;
    if (!mayTryAgain(error, proxied, res)) {
      options.onError(error, req, res);
      return;
    }
    upstreamRetries++;
    // X-Forwarded-* were set by the first try; appending them again would name the client twice.
    proxy.web(req, res, proxied.upstream === undefined ? AGAIN : { ...proxied.upstream.proxyOptions, xfwd: false });
  });
  // A client that goes away mid-request: http-proxy already destroys the upstream request.
  proxy.on('econnreset', () => undefined);

  /**
   * `OPTIONS * HTTP/1.1` (asterisk-form, RFC 9112 §3.2.4): http-proxy joins
   * every path onto the target's, which would send `OPTIONS /*`. Same
   * outgoing setup, with the asterisk kept.
   */
  function forwardAsterisk(req: http.IncomingMessage, res: http.ServerResponse, body?: NodeJS.ReadableStream): void {
    const target = (req as ProxiedRequest).upstream;
    const optionsOf = target?.proxyOptions ?? proxyOptions;
    stripHopByHop(req);
    XHeaders(req, res, optionsOf);
    const outgoing = setupOutgoing({} as Outgoing, optionsOf as never, req);
    outgoing.path = '*';
    const upstream = ((target === undefined ? secure : target.target.protocol === 'https:') ? https : http).request(outgoing);
    upstream.on('response', (proxyRes) => options.onResponse(proxyRes, req, res));
    upstream.on('error', (error) => options.onError(error, req, res));
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    (body ?? req).pipe(upstream);
  }

  const passes = Object.values(OUTGOING_PASSES) as ((...args: unknown[]) => void)[];
  return {
    agent,
    get upstreamRetries() {
      return upstreamRetries;
    },
    forward(req, res, body) {
      const upstream = (req as ProxiedRequest).upstream;
      if (req.url === '*') forwardAsterisk(req, res, body);
      else if (upstream !== undefined) {
        proxy.web(req, res, body === undefined ? upstream.proxyOptions : { ...upstream.proxyOptions, buffer: body });
      } else if (body === undefined) proxy.web(req, res);
      else proxy.web(req, res, { buffer: body as unknown as import('node:stream').Stream });
    },
    writeHead(proxyRes, req, res) {
      // The upstream's hop-by-hop headers (its Keep-Alive timeout, say) describe its connection to the proxy. Put back
      // after: the agent reads that timeout when the socket is freed, to close it before the upstream does.
      const headers = proxyRes.headers;
      proxyRes.headers = withoutHopByHop(headers);
      const passOptions = (req as ProxiedRequest).upstream?.proxyOptions ?? proxyOptions;
      for (const pass of passes) pass(req, res, proxyRes, passOptions);
      proxyRes.headers = headers;
    },
    close() {
      agent.destroy();
      proxy.close();
    },
  };
}

const AGAIN = { xfwd: false };

/** Emitted once the upstream request has its socket, the moment `reusedSocket` is known. */
function noteReuse(proxyReq: http.ClientRequest, req: http.IncomingMessage): void {
  (req as ProxiedRequest).upstreamReused = proxyReq.reusedSocket;
}

type Pass = ((...args: never[]) => unknown) & { name: string };

function stripHopByHop(req: http.IncomingMessage): void {
  req.headers = withoutHopByHop(req.headers);
}

/** Runs stripHopByHop before http-proxy's X-Forwarded-* pass, so a client cannot name those away. */
function withHopByHopStripped(proxy: ProxyServer): void {
  const internals = proxy as unknown as { webPasses: Pass[] };
  const at = internals.webPasses.findIndex((pass) => pass.name === 'XHeaders');
  internals.webPasses.splice(at === -1 ? 0 : at, 0, stripHopByHop as Pass);
}

/** Drops http-proxy's smuggling-prone `deleteLength` pass (see createForwarder). */
export function withoutDeleteLength(proxy: ProxyServer): ProxyServer {
  const internals = proxy as unknown as { webPasses: Pass[] };
  internals.webPasses = internals.webPasses.filter((pass) => pass.name !== 'deleteLength');
  return proxy;
}
