import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ErrorCode } from '@downspin/protocol';
import type { ProxiedRequest } from '../connection.js';
import { MALFORMED_CREDENTIALS, parseProxySession } from './authority.js';
import type { LocalCa } from './ca.js';
import { HostRules, normalizeHost } from './hosts.js';
import type { ResolveMap } from './resolve-map.js';
import type { Upstream, Upstreams } from './upstreams.js';

/** What a CONNECT tunnel binds for every request inside it. */
export interface Tunnel {
  readonly upstream: Upstream;
  /** The session named by the CONNECT's proxy credentials, if any. */
  readonly session: string | undefined;
}

export interface ForwardParts {
  rules: HostRules;
  tunnelUnlisted: boolean;
  /** Ask for proxy credentials (407) when a forward-mode request or CONNECT has none. */
  requireProxyAuth: boolean;
  resolve: ResolveMap;
  upstreams: Upstreams;
  /** Present when hosts are listed (interception needs it). */
  ca: LocalCa | undefined;
}

/**
 * Forward mode's routing of requests, beside reverse mode. A request on a
 * tunnel's decrypted socket goes to the tunnel's host; an absolute-form
 * request to a listed host goes to that host; any other absolute-form
 * request is refused once forward mode is on (with it off, reverse mode
 * rewrites it to a path of --target, as before). The request then takes the
 * one request path (admission, effects, telemetry) like any other.
 */
export class ForwardMode {
  /** Decrypted tunnel sockets, with what they were opened for. */
  readonly tunnels = new WeakMap<Socket, Tunnel>();

  constructor(readonly parts: ForwardParts) {}

  /** On when any host is listed or unlisted hosts may be tunnelled. */
  get enabled(): boolean {
    return !this.parts.rules.empty || this.parts.tunnelUnlisted;
  }

  /**
   * Sets the request's upstream (and proxy-credential session) when forward
   * mode routes it; returns the error to answer when it refuses it.
   * With forward mode off, a request costs one property read; on, one
   * WeakMap lookup more (no allocation either way).
   */
  route(req: IncomingMessage): ErrorCode | undefined {
    if (!this.enabled) return undefined;
    const proxied = req as ProxiedRequest;
    const tunnel = this.tunnels.get(req.socket);
    if (tunnel !== undefined) {
      proxied.upstream = tunnel.upstream;
      proxied.proxySession = tunnel.session;
      return undefined;
    }
    // Only tunnels make TLS sockets here: one without its tunnel is a bug, never a route to --target.
    if ((req.socket as TLSSocket).encrypted === true) return 'forward_host_refused';
    const url = req.url ?? '/';
    if (url.charCodeAt(0) === 47 || url === '*') return undefined;
    if (!URL.canParse(url)) return 'bad_request_target';
    const target = new URL(url);
    const secure = target.protocol === 'https:' || target.protocol === 'wss:';
    if (!secure && target.protocol !== 'http:' && target.protocol !== 'ws:') return 'bad_request_target';
    const host = normalizeHost(target.hostname);
    if (host === undefined || !this.parts.rules.matches(host)) return 'forward_host_refused';
    const session = parseProxySession(headerOf(req, 'proxy-authorization'));
    if (session === MALFORMED_CREDENTIALS) return 'malformed_proxy_credentials';
    if (session === undefined && this.parts.requireProxyAuth) return 'proxy_credentials_required';
    proxied.proxySession = session;
    proxied.upstream = this.parts.upstreams.get(secure, host, target.port === '' ? (secure ? 443 : 80) : Number(target.port));
    return undefined;
  }

  close(): void {
    this.parts.upstreams.close();
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
