import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { ResolveMap } from './resolve-map.js';
import { IDLE_UPSTREAM_SOCKET_MS } from '../upstream-sockets.js';

/** Forward-mode upstreams kept (agent and options each); beyond it the least recently used is retired. */
const MAX_UPSTREAMS = 256;

/**
 * Where one forwarded request goes: a host of forward mode, with its own
 * keep-alive agent and the forwarder's options for it. Reverse mode has
 * none (requests go to --target), so its path is unchanged.
 */
export interface Upstream {
  readonly target: URL;
  /** The host name (normalized), as telemetry records it. */
  readonly host: string;
  /** ws:// or wss:// and the authority, for WebSocket handshakes. */
  readonly wsOrigin: string;
  readonly agent: http.Agent;
  /** TLS and address options of WebSocket connections to it. */
  readonly connectOptions: { lookup: LookupFunction; secureContext: SecureContext | undefined; rejectUnauthorized: boolean };
  /** The forwarder's options for requests to it (http-proxy options: target, agent, no rewriting). */
  readonly proxyOptions: Record<string, unknown>;
}

export interface UpstreamTrust {
  /** TLS context trusting the system roots plus --upstream-ca; undefined: Node's default. */
  secureContext: SecureContext | undefined;
  /** --insecure-target: accept upstream certificates that do not verify. */
  insecure: boolean;
}

/** The upstreams of forward mode, one per scheme, host and port, made on first use (bounded LRU). */
export class Upstreams {
  private readonly upstreams = new Map<string, Upstream>();

  constructor(
    private readonly resolve: ResolveMap,
    private readonly trust: UpstreamTrust,
  ) {}

  get(secure: boolean, host: string, port: number): Upstream {
    const key = `${secure ? 's' : 'p'}${host}:${port}`;
    let upstream = this.upstreams.get(key);
    if (upstream !== undefined) {
      this.upstreams.delete(key);
      this.upstreams.set(key, upstream);
      return upstream;
    }
    upstream = this.make(secure, host, port);
    this.upstreams.set(key, upstream);
    if (this.upstreams.size > MAX_UPSTREAMS) {
      const oldest = this.upstreams.keys().next().value!;
      retire(this.upstreams.get(oldest)!.agent);
      this.upstreams.delete(oldest);
    }
    return upstream;
  }

  get size(): number {
    return this.upstreams.size;
  }

  close(): void {
    for (const upstream of this.upstreams.values()) upstream.agent.destroy();
    this.upstreams.clear();
  }

  private make(secure: boolean, host: string, port: number): Upstream {
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const target = new URL(`${secure ? 'https' : 'http'}://${authority}`);
    const lookup = this.resolve.lookupFor(port);
    const rejectUnauthorized = !this.trust.insecure;
    // Idle sockets close after the timeout, so a retired or rarely used upstream holds none for long.
    const common = { keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' as const, timeout: IDLE_UPSTREAM_SOCKET_MS, lookup };
    const agent = secure
      ? new https.Agent({ ...common, rejectUnauthorized, ...(this.trust.secureContext === undefined ? {} : { secureContext: this.trust.secureContext }) })
      : new http.Agent(common);
    return {
      target,
      host,
      wsOrigin: `${secure ? 'wss' : 'ws'}://${authority}`,
      agent,
      connectOptions: { lookup, secureContext: this.trust.secureContext, rejectUnauthorized },
      proxyOptions: {
        target,
        agent,
        // Host is the upstream's real name (and so is SNI); redirects, cookies and Location stay as the upstream wrote them:
        // the browser addresses the real hosts through its proxy settings.
        changeOrigin: true,
        xfwd: true,
        secure: rejectUnauthorized,
        selfHandleResponse: true,
      },
    };
  }
}

/** Closes an agent's idle sockets now; sockets still answering close when their response ends. */
function retire(agent: http.Agent): void {
  (agent as http.Agent & { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
