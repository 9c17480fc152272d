import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import tls from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import pino from 'pino';
import { ProxiedRequest, markConnection } from './connection.js';
import type { ProxyContext } from './context.js';
import { BusLink, newProxyId } from './control/bus-link.js';
import { BodyWatchdog } from './body-watchdog.js';
import { answerClientErrors } from './client-error.js';
import { createHttpHandler } from './http-handler.js';
import { DEFAULT_ABUSE_GUARD, DEFAULT_ADDRESS_GUARD, DEFAULT_WEBSOCKET_LIMITS, type ProxyOptions, type ProxyStats } from './options.js';
import { countAllHeaders, refuseRequestShape, refuseUpgradeShape } from './request-limits.js';
import { SessionTable } from './session/table.js';
import { AddressGuard } from './shaping/address-guard.js';
import { localCountryOf } from '@downspin/protocol';
import { TelemetryEmitter } from './telemetry/emitter.js';
import { READ_MARGIN_BYTES } from './ws/relay.js';
import { createUpgradeHandler } from './ws/upgrade.js';
import { writeErrorResponse, writeUpgradeRefusal } from './errors.js';
import { ConnectHandler, createForwardMode, PROXY_AUTHENTICATE, type CaInfo } from './forward/index.js';

export interface RunningProxy {
  readonly url: string;
  readonly port: number;
  readonly proxyId: string;
  stats(): ProxyStats;
  /** Forward mode's local CA (certificate path, PEM, SPKI hash), when hosts are intercepted. */
  readonly ca: CaInfo | undefined;
  /** Sessions the proxy holds (read-only use: tests and the embedded control API). */
  readonly sessions: SessionTable;
  close(): Promise<void>;
}

/**
 * Connections the kernel may hold for the proxy before it accepts them (capped by
 * net.core.somaxconn, 4096 on current Linux). Node's default, 511, overflowed when a team's
 * load opened ~2,000 connections within a second (bench section 7, 10,000 sessions): the
 * dropped SYNs were retried by the clients after 1 s and 3 s, and those requests arrived
 * seconds late (client-side p99 3.6 s) while the proxy's own event loop was never stalled
 * for more than 150 ms. Accepting is cheap; refusing it looks like a shaping bug.
 */
export const LISTEN_BACKLOG = 65_535;

/**
 * Starts a shaping proxy in front of `options.target`. Resolves once it
 * listens and has tried to load the stored shaping (it serves with none if
 * the store is down, and keeps retrying).
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`target must be an http:// or https:// URL, got ${target.protocol}`);
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  const proxyId = options.proxyId ?? newProxyId();
  const guard = { ...DEFAULT_ABUSE_GUARD, ...options.abuseGuard };
  const maxHoldMs = options.maxHoldMs ?? 10 * 60_000;
  const webSocketLimits = { ...DEFAULT_WEBSOCKET_LIMITS, ...options.webSocketLimits };
  if (webSocketLimits.maxQueuedBytes <= webSocketLimits.maxMessageBytes + READ_MARGIN_BYTES) {
    throw new Error(
      `webSocketLimits.maxQueuedBytes (${webSocketLimits.maxQueuedBytes}) must exceed maxMessageBytes + ${READ_MARGIN_BYTES} (${
        webSocketLimits.maxMessageBytes + READ_MARGIN_BYTES
      })`,
    );
  }
  const startedAt = Date.now();
  const sessions = new SessionTable({ idleMs: 10 * 60_000, maxSessions: 100_000 });
  // The sink is the one telemetry queue; whoever made it closes it (rows are never held here).
  const telemetry = new TelemetryEmitter({ sink: options.telemetry, countryOf: options.countryOf ?? localCountryOf });

  const insecureTarget = options.insecureTarget ?? false;
  // Trusting extra CAs must not drop the system's: an upstream with a public certificate still verifies.
  const upstreamTls =
    options.upstreamCa === undefined || options.upstreamCa.length === 0
      ? undefined
      : tls.createSecureContext({ ca: [...tls.rootCertificates, ...options.upstreamCa] });
  const forward = await createForwardMode(options.forward, { secureContext: upstreamTls, insecure: insecureTarget });

  const connections = new Set<Socket>();
  const rate = new RequestRate();
  const context: ProxyContext = {
    target,
    insecureTarget,
    upstreamTls,
    proxyId,
    sessions,
    telemetry,
    guard,
    addressGuard: new AddressGuard({ ...DEFAULT_ADDRESS_GUARD, ...options.addressGuard }, logger),
    maxHoldMs,
    webSocketLimits,
    logger,
  };
  const http_ = createHttpHandler({
    ...context,
    handleOwnPath(req, res) {
      if (req.url !== '/__downspin/health') return false;
      const body = JSON.stringify({ ok: true, proxyId, shapingLoaded: link.loaded, bus: options.bus.status() });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
      return true;
    },
  });
  const upgrades = createUpgradeHandler(context);

  const headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
  const bodies = new BodyWatchdog(options.bodyIdleTimeoutMs ?? 30_000);
  const server = http.createServer({
    IncomingMessage: ProxiedRequest,
    // Paced uploads and held requests may take long: no total bound, the watchdog cuts stalled bodies.
    requestTimeout: 0,
    headersTimeout: headersTimeoutMs,
    // How often Node checks headersTimeout (default 30 s): a slow header trickle is closed within 1.25 × the timeout.
    connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(headersTimeoutMs / 4))),
    keepAliveTimeout: 5_000,
  });
  countAllHeaders(server);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refused = forward.route(req);
    if (refused !== undefined) {
      res.shouldKeepAlive = false;
      writeErrorResponse(res, refused, refused === 'proxy_credentials_required' ? { headers: PROXY_AUTHENTICATE } : {});
      return;
    }
    if (refuseRequestShape(req, res)) return;
    bodies.watch(req as ProxiedRequest);
    http_.handleRequest(req, res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refused = forward.route(req);
    if (refused !== undefined) {
      socket.on('error', () => socket.destroy());
      writeUpgradeRefusal(socket, refused, undefined, refused === 'proxy_credentials_required' ? PROXY_AUTHENTICATE : undefined);
      return;
    }
    if (!refuseUpgradeShape(req, socket)) upgrades.handleUpgrade(req, socket, head);
  });
  // Forward mode: CONNECT to a listed host is intercepted into this same server; others are refused or tunnelled raw.
  const connects = new ConnectHandler(server, forward, logger);
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => connects.handle(req, socket, head));
  server.on('connection', (socket: Socket) => {
    markConnection(socket);
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  // Malformed requests (bad framing, CL+TE conflicts) end here, never upstream.
  answerClientErrors(server, (error) => logger.debug({ code: error.code }, 'rejected a malformed request'));

  const stats = (): ProxyStats => ({
    proxyId,
    startedAt,
    sessions: sessions.size,
    parkedSessions: sessions.parkedSize,
    connections: connections.size,
    rawTunnels: connects.openRawTunnels,
    webSockets: upgrades.open(),
    requestsTotal: http_.requestsTotal(),
    requestsPerSecond: rate.perSecond(http_.requestsTotal()),
    upstreamRetries: http_.forwarder.upstreamRetries,
    telemetry: telemetry.tally(),
    shapingLoaded: link.loaded,
    shaping: { ...link.counts },
  });

  // Known once listening; presence messages sent before that go without it.
  const address = { url: '' };
  const link = new BusLink({
    bus: options.bus,
    proxyId,
    sessions,
    loadShaping: options.loadShaping,
    logger,
    reportIntervalMs: options.reportIntervalMs ?? 500,
    presence: () => ({
      connections: connections.size,
      requestsPerSecond: rate.perSecond(http_.requestsTotal()),
      requestsTotal: http_.requestsTotal(),
      webSockets: upgrades.open(),
      telemetry: telemetry.tally(),
      ...(address.url === '' ? {} : { url: address.url }),
    }),
  });
  await link.start();

  server.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1', backlog: LISTEN_BACKLOG });
  try {
    await once(server, 'listening');
  } catch (error) {
    await link.close();
    http_.forwarder.close();
    forward.close();
    bodies.close();
    context.addressGuard.close();
    throw error;
  }
  // After start, a server error (EMFILE on accept, say) is logged; the proxy keeps serving.
  server.on('error', (error) => logger.error({ err: error }, 'proxy server error'));
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  address.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ proxyId, port, target: target.toString() }, 'proxy listening');

  return {
    url: address.url,
    port,
    proxyId,
    sessions,
    stats,
    ca: forward.parts.ca?.info,
    async close() {
      await link.close();
      upgrades.close();
      server.close();
      for (const socket of connections) socket.destroy();
      http_.forwarder.close();
      forward.close();
      bodies.close();
      context.addressGuard.close();
    },
  };
}

/** Requests per second over a sliding window of a few seconds. */
class RequestRate {
  private samples: { at: number; total: number }[] = [];

  perSecond(total: number): number {
    const now = Date.now();
    this.samples.push({ at: now, total });
    while (this.samples.length > 2 && now - this.samples[0]!.at > 5000) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? Math.round(((total - first.total) / seconds) * 10) / 10 : 0;
  }
}
