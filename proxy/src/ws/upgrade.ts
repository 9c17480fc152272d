import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '@downspin/protocol';
import WebSocket, { WebSocketServer } from 'ws';
import { admit, refusalHeaders } from '../admission.js';
import { Verdict } from '../effects/index.js';
import type { ProxiedRequest } from '../connection.js';
import { refusalCode, writeUpgradeRefusal } from '../errors.js';
import { namedInConnection } from '../hop-by-hop.js';
import type { ProxyContext } from '../context.js';
import { GateDecision } from '../shaping/gates.js';
import { originFormOf, pathOf } from '../url.js';
import { connectionRecorder } from './record.js';
import { WsRelay, type RelayOptions, type RelayResult } from './relay.js';

const kSetCookie = Symbol('downspin.setCookie');
const kProtocol = Symbol('downspin.protocol');
type UpgradeRequest = IncomingMessage & { [kSetCookie]?: string; [kProtocol]?: string };

/** Handshake headers ws makes itself, and hop-by-hop headers: never copied upstream. */
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
]);

/** A Sec-WebSocket-Key is 16 random bytes in base64 (RFC 6455 §4.1), as ws checks it. */
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;
/** Sec-WebSocket-Protocol: comma-separated tokens (RFC 7230 tchar). */
const PROTOCOLS_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*,[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*$/;

export interface UpgradeHandler {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  readonly open: () => number;
  close(): void;
}

/**
 * Proxies WebSocket upgrades. The client's handshake is checked first (a bad
 * one is refused before anything opens upstream), then the request goes
 * through the same admission step as HTTP requests (admission.ts), waits the
 * latency, and the upstream connection is made before the client's is
 * accepted, so the client gets the upstream's answer (protocol, or its
 * refusal status) and never a socket to nowhere. A WsRelay then carries the
 * messages under the session's shaping. Every error on this path answers or
 * closes the client socket: nothing here may throw into the server.
 */
export function createUpgradeHandler(options: ProxyContext): UpgradeHandler {
  const { logger, target } = options;
  const limits = options.webSocketLimits;
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: limits.maxMessageBytes,
    handleProtocols: (_protocols, req) => (req as UpgradeRequest)[kProtocol] ?? false,
  });
  wss.on('headers', (headers, req) => {
    const cookie = (req as UpgradeRequest)[kSetCookie];
    if (cookie !== undefined) headers.push(`Set-Cookie: ${cookie}`);
  });
  let open = 0;

  /** Ends the client socket after an error nobody expected, so it never lingers. */
  function failed(error: unknown, req: IncomingMessage, socket: Socket): void {
    logger.error({ err: error, url: req.url }, 'WebSocket upgrade failed; the client socket was closed');
    refuse(socket, 'internal');
  }

  /** The relay, made outside connectUpstream's scope so its callback does not keep the upgrade request alive. */
  function relay(client: WebSocket, upstream: WebSocket, session: GateDecision['session'], relayOptions: RelayOptions, record: (result: Partial<RelayResult>) => void): void {
    open++;
    new WsRelay(client, upstream, session, relayOptions, (result) => {
      open--;
      record(result);
    });
  }

  function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', destroyOnError);
    try {
      admitUpgrade(req as UpgradeRequest, socket, head);
    } catch (error) {
      failed(error, req, socket);
    }
  }

  function admitUpgrade(req: UpgradeRequest, socket: Socket, head: Buffer): void {
    const requestPath = originFormOf(req.url ?? '/');
    if (requestPath === undefined || !validHandshake(req)) {
      refuse(socket, 'invalid_upgrade');
      return;
    }
    const path = pathOf(requestPath);
    const decision = new GateDecision(performance.now(), Date.now());
    const refused = admit(req, decision, path, options);
    if (refused !== undefined) {
      refuse(socket, refused, undefined, decision.headers);
      return;
    }
    if (decision.setCookie !== undefined) req[kSetCookie] = decision.setCookie;
    const { session } = decision;
    // The handshake counts once admitted; the connection's bytes come when it ends (record).
    session.recordRequest(0, 0);
    // The recorder takes strings, not the request: an open connection keeps no request headers alive.
    const host = (req as ProxiedRequest).upstream?.host ?? req.headers.host ?? '';
    const record = connectionRecorder(options, { socket, decision, host, path, ip: req.socket.remoteAddress ?? '' });

    const proceed = (): void => {
      if (socket.destroyed) return record({ error: 'client_aborted' });
      switch (decision.verdict) {
        case Verdict.Respond:
          refuse(socket, refusalCode(decision.fault), decision.status, refusalHeaders(decision));
          return record({});
        case Verdict.Reset:
          socket.destroy();
          return record({});
        case Verdict.Hold: {
          const timer = setTimeout(() => socket.destroy(), options.maxHoldMs);
          socket.once('close', () => {
            clearTimeout(timer);
            record({});
          });
          return;
        }
        case Verdict.Forward:
          connectUpstream(req, socket, head, decision, requestPath, record);
      }
    };
    if (decision.delayMs <= 0) {
      proceed();
      return;
    }
    // Count the delay from arrival, as for HTTP requests.
    setTimeout(() => {
      try {
        proceed();
      } catch (error) {
        failed(error, req, socket);
      }
    }, decision.delayMs - (performance.now() - decision.now));
  }

  function connectUpstream(
    req: UpgradeRequest,
    socket: Socket,
    head: Buffer,
    decision: GateDecision,
    requestPath: string,
    record: (result: Partial<RelayResult>) => void,
  ): void {
    const path = pathOf(requestPath);
    const protocols = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    // Forward mode: the tunnel's (or absolute-form's) host, with its address mapping and trust.
    const forwardTo = (req as ProxiedRequest).upstream;
    const url = forwardTo === undefined ? upstreamUrl(target, requestPath) : forwardTo.wsOrigin + requestPath;
    const trust = forwardTo?.connectOptions ?? { rejectUnauthorized: !options.insecureTarget, secureContext: options.upstreamTls };
    const upstream = new WebSocket(url, protocols, {
      headers: forwardedHeaders(req),
      perMessageDeflate: false,
      maxPayload: limits.maxMessageBytes,
      handshakeTimeout: 15_000,
      followRedirects: false,
      ...trust,
    });
    // Until the relay owns both, a client that goes away (or that ws refuses) takes the upstream with it.
    const onClientGone = (): void => upstream.terminate();
    socket.once('close', onClientGone);
    // One of unexpected-response, error and open settles the handshake; ws may still emit an error after another.
    let settled = false;
    const onRefused = (_request: unknown, response: IncomingMessage): void => {
      settled = true;
      socket.off('close', onClientGone);
      const status = response.statusCode ?? 502;
      response.resume();
      upstream.terminate();
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status} ${response.statusMessage ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      } else socket.destroy();
      record({ error: '' });
    };
    upstream.once('unexpected-response', onRefused);
    const onHandshakeError = (error: Error): void => {
      // After open the relay handles errors.
      if (settled) return;
      settled = true;
      socket.off('close', onClientGone);
      logger.debug({ err: error, path }, 'upstream WebSocket failed');
      refuse(socket, 'upstream_unreachable');
      record({ error: 'upstream_unreachable' });
    };
    upstream.on('error', onHandshakeError);
    upstream.once('open', () => {
      settled = true;
      // The handshake's listeners keep this scope (the upgrade request) alive as long as the connection: swapped for one that keeps nothing.
      upstream.off('unexpected-response', onRefused);
      upstream.off('error', onHandshakeError);
      upstream.on('error', ignoreError);
      try {
        if (socket.destroyed) {
          socket.off('close', onClientGone);
          upstream.terminate();
          record({ error: 'client_aborted' });
          return;
        }
        if (upstream.protocol !== '') req[kProtocol] = upstream.protocol;
        const relayOptions: RelayOptions = { host: req.headers.host ?? '', path, guard: options.guard, logger, limits, maxHoldMs: options.maxHoldMs };
        wss.handleUpgrade(req, socket, head, (client) => {
          socket.off('close', onClientGone);
          relay(client, upstream, decision.session, relayOptions, record);
        });
      } catch (error) {
        upstream.terminate();
        failed(error, req, socket);
      }
    });
  }

  return {
    handleUpgrade,
    open: () => open,
    close: () => wss.close(),
  };
}

/** The client handshake as ws checks it, so ws never refuses one after the upstream is open. */
function validHandshake(req: IncomingMessage): boolean {
  if (req.method !== 'GET') return false;
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || upgrade.toLowerCase() !== 'websocket') return false;
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY_PATTERN.test(key)) return false;
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') return false;
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols === undefined) return true;
  if (!PROTOCOLS_PATTERN.test(protocols.trim())) return false;
  const names = protocols.split(',').map((name) => name.trim());
  return new Set(names).size === names.length;
}

function refuse(socket: Socket, code: ErrorCode, status?: number, headers?: readonly string[]): void {
  try {
    writeUpgradeRefusal(socket, code, status, headers);
  } catch {
    socket.destroy();
  }
}

/** Errors after the upstream handshake belong to the relay, which listens for them itself. */
function ignoreError(): void {}

function destroyOnError(this: Socket): void {
  this.destroy();
}

/** The upstream URL from the target and the request's path only: the client never picks the host. */
function upstreamUrl(target: URL, requestPath: string): string {
  const protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
  return `${protocol}//${target.host}${base}${requestPath}`;
}

function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const named = namedInConnection(req.headers.connection);
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name) && !named.has(name)) headers[name] = value;
  }
  const remote = req.socket.remoteAddress ?? '';
  const forwardedFor = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${String(forwardedFor)},${remote}` : remote;
  // Inside an intercepted tunnel the client spoke TLS to the proxy.
  headers['x-forwarded-proto'] = req.headers['x-forwarded-proto'] ?? ((req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http');
  headers['x-forwarded-host'] = req.headers['x-forwarded-host'] ?? req.headers.host ?? '';
  return headers;
}
