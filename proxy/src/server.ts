import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import pino from 'pino';
import { ProxiedRequest, markConnection } from './connection.js';
import type { ProxyContext } from './context.js';
import { BusLink, newProxyId } from './control/bus-link.js';
import { createHttpHandler } from './http-handler.js';
import { DEFAULT_ABUSE_GUARD, type ProxyOptions, type ProxyStats } from './options.js';
import { SessionTable } from './session/table.js';
import { localCountryOf } from './telemetry/country.js';
import { TelemetryEmitter } from './telemetry/emitter.js';
import { createUpgradeHandler } from './ws/upgrade.js';

export interface RunningProxy {
  readonly url: string;
  readonly port: number;
  readonly proxyId: string;
  stats(): ProxyStats;
  /** Sessions the proxy holds (read-only use: tests and the embedded control API). */
  readonly sessions: SessionTable;
  close(): Promise<void>;
}

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
  const startedAt = Date.now();
  const sessions = new SessionTable({ idleMs: 10 * 60_000, maxSessions: 100_000 });
  // The sink is the one telemetry queue; whoever made it closes it (rows are never held here).
  const telemetry = new TelemetryEmitter({ sink: options.telemetry, countryOf: options.countryOf ?? localCountryOf });

  const connections = new Set<Socket>();
  const rate = new RequestRate();
  const context: ProxyContext = {
    target,
    insecureTarget: options.insecureTarget ?? false,
    proxyId,
    sessions,
    telemetry,
    guard,
    maxHoldMs,
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

  const server = http.createServer({
    IncomingMessage: ProxiedRequest,
    // Paced uploads and held requests may take long; only idle header reads are cut.
    requestTimeout: 0,
    headersTimeout: 60_000,
    keepAliveTimeout: 5_000,
  });
  server.on('request', http_.handleRequest);
  server.on('upgrade', upgrades.handleUpgrade);
  server.on('connection', (socket: Socket) => {
    markConnection(socket);
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // Malformed requests (bad framing, CL+TE conflicts) end here, never upstream.
    logger.debug({ code: error.code }, 'rejected a malformed request');
    if (socket.writable && error.code !== 'ECONNRESET') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else socket.destroy();
  });

  const stats = (): ProxyStats => ({
    proxyId,
    startedAt,
    sessions: sessions.size,
    connections: connections.size,
    webSockets: upgrades.open(),
    requestsTotal: http_.requestsTotal(),
    requestsPerSecond: rate.perSecond(http_.requestsTotal()),
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

  server.listen(options.port ?? 8080, options.host ?? '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    await link.close();
    http_.forwarder.close();
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
    async close() {
      await link.close();
      upgrades.close();
      server.close();
      for (const socket of connections) socket.destroy();
      http_.forwarder.close();
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
