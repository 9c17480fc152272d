import type { Bus } from '@downspin/bus';
import type { SessionShaping, TelemetryTally } from '@downspin/protocol';
import type { Logger } from 'pino';
import type { TelemetrySink } from './telemetry/sink.js';

export interface AbuseGuardOptions {
  /** On by default. */
  enabled: boolean;
  /** Rate-limit violations that ban a session. */
  maxViolations: number;
  /** How long a ban lasts. */
  banMs: number;
}

export const DEFAULT_ABUSE_GUARD: AbuseGuardOptions = { enabled: true, maxViolations: 50, banMs: 5 * 60_000 };

/**
 * Memory bounds of the WebSocket relay. A relay holds messages while the
 * session's latency or bandwidth delays them; at a bound it stops reading
 * from the sender (TCP backpressure) instead of growing.
 */
export interface WebSocketLimits {
  /** Largest message relayed; a bigger one closes the connection with 1009. Default 4 MiB. */
  maxMessageBytes: number;
  /** Bytes one relay may hold per direction (queued and unsent). Default 8 MiB; must exceed maxMessageBytes + 256 KiB. */
  maxQueuedBytes: number;
  /** Bytes all relays of one session may queue before each stops reading. Default 32 MiB. */
  maxSessionQueuedBytes: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxQueuedBytes: 8 * 1024 * 1024,
  maxSessionQueuedBytes: 32 * 1024 * 1024,
};

/**
 * A rate limit and ban per client address, across all of its session ids
 * (which a client can rotate freely). Off by default: testers behind one
 * office NAT share an address.
 */
export interface AddressGuardOptions {
  enabled: boolean;
  /** Requests a second each address may send, sustained. */
  rps: number;
  /** Requests an address may send at once above the rate. */
  burst: number;
  /** Refusals (429) that ban the address. */
  maxViolations: number;
  /** How long an address ban lasts. */
  banMs: number;
  /** Most addresses remembered; beyond it the longest-known is forgotten. */
  maxAddresses: number;
}

export const DEFAULT_ADDRESS_GUARD: AddressGuardOptions = {
  enabled: false,
  rps: 50,
  burst: 100,
  maxViolations: 50,
  banMs: 5 * 60_000,
  maxAddresses: 100_000,
};

export interface ProxyOptions {
  /** The app under test, http:// or https://. */
  target: string | URL;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Names this instance in acks, presence and telemetry. Default: random. */
  proxyId?: string;
  /** Where shaping commands arrive and acks, presence and activity go. */
  bus: Bus;
  /** Current shaping of every session, read at start and after the bus reconnects. */
  loadShaping: () => Promise<SessionShaping[]>;
  /** Where telemetry rows go, in batches off the request path. */
  telemetry?: TelemetrySink;
  /** Maps a client IP to a country code for telemetry (called off the request path). */
  countryOf?: (ip: string) => string;
  abuseGuard?: Partial<AbuseGuardOptions>;
  /** Per-address rate limit and ban across session ids. Off by default. */
  addressGuard?: Partial<AddressGuardOptions>;
  /** Accept an https target (and forward-mode upstream) whose certificate does not verify (self-signed staging). */
  insecureTarget?: boolean;
  /** PEM texts of CAs trusted for upstream https beside the system's (test origins with their own CA). */
  upstreamCa?: string[];
  /** Forward mode: the proxy as the browser's proxy, for listed hosts (off when absent). */
  forward?: ForwardOptions;
  logger?: Logger;
  /** How often presence and session activity are published. Default 500 ms: the dashboard shows sessions within a second or two. */
  reportIntervalMs?: number;
  /** Longest a `timeoutRate` fault holds a request (or stalls a WebSocket) before closing it. Default 10 min. */
  maxHoldMs?: number;
  /** Memory bounds of WebSocket relays. */
  webSocketLimits?: Partial<WebSocketLimits>;
  /** Longest a client may take to send a request's headers (answered 408, closed). Default 30 s. */
  headersTimeoutMs?: number;
  /**
   * Longest a request body may make no progress (under 1 KiB) while the proxy
   * reads it; the connection is then closed. Idle time, not total: paced
   * uploads and bodies waiting out injected latency are not cut. Default 30 s.
   */
  bodyIdleTimeoutMs?: number;
}

/** Forward mode (README "Forward mode"). */
export interface ForwardOptions {
  /** Host rules intercepted and shaped: `staging.example.com`, `*.staging.example.com`. None: forward mode refuses every host. */
  intercept?: string[];
  /** Tunnel unlisted hosts untouched (never to loopback, link-local or metadata addresses) instead of refusing them. */
  tunnelUnlisted?: boolean;
  /** `host:port:address` entries (as curl's --resolve): connect to address for host:port. */
  resolve?: string[];
  /** Answer 407 to a forward-mode request or CONNECT without proxy credentials (so browsers send their user name). */
  requireProxyAuth?: boolean;
  /** The data dir whose `ca/` holds the local CA; required when hosts are intercepted. */
  dataDir?: string;
}

export interface ProxyStats {
  proxyId: string;
  startedAt: number;
  /** Sessions running (with a runtime in memory). */
  sessions: number;
  /** Shaped sessions idle past the idle time: only their shaping is kept, their next request runs them again. */
  parkedSessions: number;
  /** Open client connections (HTTP keep-alive and WebSocket; a tunnel's decrypted socket counts besides its own). */
  connections: number;
  /** Raw tunnels of unlisted hosts open (--tunnel-unlisted). */
  rawTunnels: number;
  webSockets: number;
  requestsTotal: number;
  /** Requests per second over the last few seconds. */
  requestsPerSecond: number;
  /** Requests sent upstream a second time: the kept-alive connection they went out on was closed by the upstream as it was reused. */
  upstreamRetries: number;
  telemetry: TelemetryTally;
  shapingLoaded: boolean;
  /** Shaping versions applied (commands and reloads), versions ignored as already applied, and reloads from the store. */
  shaping: { applied: number; stale: number; reloads: number };
}
