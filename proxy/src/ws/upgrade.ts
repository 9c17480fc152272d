import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { WsRow } from '@downspin/protocol';
import WebSocket, { WebSocketServer } from 'ws';
import { Verdict } from '../effects/index.js';
import { refusalCode, writeUpgradeRefusal } from '../errors.js';
import { namedInConnection } from '../hop-by-hop.js';
import type { ProxyContext } from '../context.js';
import { assignSessionId, MALFORMED_COOKIE, MALFORMED_HEADER, resolveSessionId, sessionCookie } from '../session/resolve.js';
import type { SessionTable } from '../session/table.js';
import { decide, GateDecision } from '../shaping/gates.js';
import { pathOf } from '../url.js';
import { WsRelay, type RelayResult } from './relay.js';

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
  'transfer-encoding',
]);

const MAX_PAYLOAD = 64 * 1024 * 1024;


export interface UpgradeHandler {
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  readonly open: () => number;
  close(): void;
}

/**
 * Proxies WebSocket upgrades: the session's gates and latency apply to the
 * handshake, then a WsRelay delays each message. The upstream connection is
 * made first, so the client gets the upstream's answer (protocol, or its
 * refusal status) and never a socket to nowhere.
 */
export function createUpgradeHandler(options: ProxyContext): UpgradeHandler {
  const { sessions, telemetry, guard, logger, proxyId, target } = options;
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_PAYLOAD,
    handleProtocols: (_protocols, req) => (req as UpgradeRequest)[kProtocol] ?? false,
  });
  wss.on('headers', (headers, req) => {
    const cookie = (req as UpgradeRequest)[kSetCookie];
    if (cookie !== undefined) headers.push(`Set-Cookie: ${cookie}`);
  });
  let open = 0;

  function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (options.addressGuard.refused(req, socket)) return;
    const resolved = resolveSessionId(req);
    if (resolved === MALFORMED_HEADER || resolved === MALFORMED_COOKIE) {
      writeUpgradeRefusal(socket, 'malformed_session_id');
      return;
    }
    let id = resolved;
    if (id === undefined) {
      id = assignSessionId();
      (req as UpgradeRequest)[kSetCookie] = sessionCookie(id);
    }
    const session = sessions.getOrCreate(id);
    const decision = new GateDecision(performance.now(), Date.now());
    session.touch(decision.ts, req.headers['user-agent'], req.socket.remoteAddress);
    const path = pathOf(req.url ?? '/');
    decide(decision, session, path, guard, logger);
    const ip = req.socket.remoteAddress ?? '';

    const record = (result: Partial<RelayResult>, fault = decision.fault): void => {
      const row: WsRow = {
        ts: decision.ts,
        sessionHash: session.hash,
        proxyId,
        host: req.headers.host ?? '',
        path,
        route: '',
        durationMs: performance.now() - decision.now,
        messagesIn: result.messagesIn ?? 0,
        messagesOut: result.messagesOut ?? 0,
        bytesIn: result.bytesIn ?? 0,
        bytesOut: result.bytesOut ?? 0,
        closeCode: result.closeCode ?? 0,
        injectedMs: decision.delayMs,
        shapingVersion: decision.shapingVersion,
        fault,
        error: result.error ?? '',
        country: '',
      };
      telemetry.webSocket(row, ip);
    };

    const proceed = (): void => {
      if (socket.destroyed) return record({ error: 'client_aborted' });
      switch (decision.verdict) {
        case Verdict.Respond:
          writeUpgradeRefusal(socket, refusalCode(decision.fault), decision.status);
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
          connectUpstream(req as UpgradeRequest, socket, head, session, path, record);
      }
    };
    if (decision.delayMs > 0) setTimeout(proceed, decision.delayMs - (performance.now() - decision.now));
    else proceed();
  }

  function connectUpstream(
    req: UpgradeRequest,
    socket: Socket,
    head: Buffer,
    session: ReturnType<SessionTable['getOrCreate']>,
    path: string,
    record: (result: Partial<RelayResult>) => void,
  ): void {
    const protocols = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const upstream = new WebSocket(upstreamUrl(target, req.url ?? '/'), protocols, {
      headers: forwardedHeaders(req),
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
      handshakeTimeout: 15_000,
      followRedirects: false,
      rejectUnauthorized: !options.insecureTarget,
    });
    const onClientGone = (): void => upstream.terminate();
    socket.once('close', onClientGone);
    upstream.once('unexpected-response', (_request, response) => {
      socket.off('close', onClientGone);
      const status = response.statusCode ?? 502;
      response.resume();
      upstream.terminate();
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status} ${response.statusMessage ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
      record({ error: '' });
    });
    upstream.once('error', (error) => {
      if (upstream.readyState === WebSocket.OPEN) return;
      socket.off('close', onClientGone);
      logger.debug({ err: error, path }, 'upstream WebSocket failed');
      writeUpgradeRefusal(socket, 'upstream_unreachable');
      record({ error: 'upstream_unreachable' });
    });
    upstream.once('open', () => {
      socket.off('close', onClientGone);
      if (socket.destroyed) {
        upstream.terminate();
        record({ error: 'client_aborted' });
        return;
      }
      if (upstream.protocol !== '') req[kProtocol] = upstream.protocol;
      wss.handleUpgrade(req, socket, head, (client) => {
        open++;
        new WsRelay(client, upstream, session, path, (result) => {
          open--;
          record(result);
        });
      });
    });
  }

  return {
    handleUpgrade,
    open: () => open,
    close: () => wss.close(),
  };
}

function upstreamUrl(target: URL, requestUrl: string): string {
  const protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
  return `${protocol}//${target.host}${base}${requestUrl}`;
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
  headers['x-forwarded-proto'] = req.headers['x-forwarded-proto'] ?? 'http';
  headers['x-forwarded-host'] = req.headers['x-forwarded-host'] ?? req.headers.host ?? '';
  return headers;
}
