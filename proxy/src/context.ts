import type { SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { AbuseGuardOptions, WebSocketLimits } from './options.js';
import type { AddressGuard } from './shaping/address-guard.js';
import type { SessionTable } from './session/table.js';
import type { TelemetryEmitter } from './telemetry/emitter.js';

/** What the HTTP and WebSocket paths of one proxy share, built once at start. */
export interface ProxyContext {
  target: URL;
  insecureTarget: boolean;
  /** TLS context trusting the system roots plus --upstream-ca, built once; undefined: Node's default (the system roots). */
  upstreamTls: SecureContext | undefined;
  proxyId: string;
  sessions: SessionTable;
  telemetry: TelemetryEmitter;
  guard: AbuseGuardOptions;
  /** Per-address admission, called before a session is resolved (a no-op when disabled). */
  addressGuard: AddressGuard;
  /** Longest a `timeoutRate` fault holds a request. */
  maxHoldMs: number;
  webSocketLimits: WebSocketLimits;
  logger: Logger;
}
