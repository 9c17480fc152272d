import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestRow } from '@downspin/protocol';
import { admit, refusalHeaders } from './admission.js';
import { Verdict } from './effects/index.js';
import { pathOf } from './url.js';
import { writeErrorResponse, writeRefusal, wantsHtml } from './errors.js';
import { hasBody, ProxiedRequest, takeSocketBytes } from './connection.js';
import type { ProxyContext } from './context.js';
import { Exchange } from './exchange.js';
import { createForwarder, type Forwarder } from './forwarder.js';
import { UpstreamFailures } from './upstream-failures.js';
import { PacedStream } from './pacing/paced-stream.js';
import { StallingStream } from './pacing/stalling-stream.js';
import { TruncatingStream } from './pacing/truncating-stream.js';


export interface HttpHandlerOptions extends ProxyContext {
  /** Answers the proxy's own paths (/__downspin/…); returns true when it did. */
  handleOwnPath(req: IncomingMessage, res: ServerResponse): boolean;
}

export interface HttpHandler {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  readonly forwarder: Forwarder;
  /** Requests received so far. */
  readonly requestsTotal: () => number;
}

/**
 * The request path: resolve the session, run the shaping gates, then answer,
 * reset, hold or forward (after the injected latency), pacing bodies when
 * the plan limits bandwidth. Nothing here awaits storage.
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const { telemetry, logger, proxyId } = options;
  let requestsTotal = 0;
  const upstreamFailures = new UpstreamFailures(options.target, logger);

  const forwarder = createForwarder({
    target: options.target,
    insecure: options.insecureTarget,
    secureContext: options.upstreamTls,
    onResponse: onUpstreamResponse,
    onError: onUpstreamError,
  });

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.startsWith('/__downspin/') && options.handleOwnPath(req, res)) return;
    requestsTotal++;
    const exchange = new Exchange(req, res, performance.now(), Date.now());
    const refused = admit(req, exchange, pathOf(url), options);
    if (refused !== undefined) {
      writeErrorResponse(res, refused, { headers: exchange.headers, html: wantsHtml(req.headers.accept) });
      return;
    }
    (req as ProxiedRequest).exchange = exchange;
    res.on('close', onResponseClose);

    if (exchange.delayMs > 0) {
      // Count the delay from arrival, not from here, so the added latency is what was asked.
      exchange.timer = setTimeout(act, exchange.delayMs - (performance.now() - exchange.now), exchange);
      return;
    }
    act(exchange);
  }

  function act(exchange: Exchange): void {
    exchange.timer = undefined;
    const { req, res } = exchange;
    if (res.destroyed) return;
    switch (exchange.verdict) {
      case Verdict.Forward:
        return forward(exchange);
      case Verdict.Respond:
        writeRefusal(res, req.headers.accept, exchange.fault, exchange.status, refusalHeaders(exchange), exchange.session);
        return;
      case Verdict.Reset:
        req.socket.destroy();
        return;
      case Verdict.Hold:
        // The client gives up first; this only bounds how long a socket can be held.
        exchange.timer = setTimeout(destroySocket, options.maxHoldMs, req.socket);
        return;
    }
  }

  function forward(exchange: Exchange): void {
    const { req, res } = exchange;
    exchange.upstreamStartedAt = performance.now();
    const upLink = exchange.plan === undefined ? undefined : exchange.session.linkUp();
    const withBody = ((req as ProxiedRequest).withBody = hasBody(req));
    if (upLink !== undefined && withBody) {
      const paced = new PacedStream(upLink);
      exchange.upPacer = paced;
      req.pipe(paced);
      forwarder.forward(req, res, paced);
      return;
    }
    forwarder.forward(req, res);
  }

  function onUpstreamResponse(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void {
    const exchange = (req as ProxiedRequest).exchange;
    if (exchange === undefined) return;
    exchange.upstreamMs = performance.now() - exchange.upstreamStartedAt;
    forwarder.writeHead(proxyRes, req, res);
    if (exchange.setCookie !== undefined) appendSetCookie(res, exchange.setCookie);
    const headers = exchange.headers;
    if (headers !== undefined) for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
    // The upstream died mid-body: the client must see a broken response, not a short one.
    proxyRes.on('error', () => {
      exchange.error = 'upstream_reset';
      res.destroy();
    });
    const downLink = exchange.plan === undefined ? undefined : exchange.session.linkDown();
    let body: NodeJS.ReadableStream = proxyRes;
    if (downLink !== undefined) {
      const paced = new PacedStream(downLink);
      exchange.downPacer = paced;
      body = proxyRes.pipe(paced);
    }
    if (exchange.stallAfterBytes >= 0) {
      // After pacing: the pause comes on top of the link's rate, at the asked byte of what the client gets.
      const stall = new StallingStream(exchange.stallAfterBytes, exchange.stallMs);
      exchange.stall = stall;
      body = body.pipe(stall);
    }
    if (exchange.truncateAfterBytes < 0) {
      body.pipe(res);
      return;
    }
    // Cut after pacing, so the bytes the client gets were paced like any others.
    const cut = new TruncatingStream(exchange.truncateAfterBytes);
    body.pipe(cut).pipe(res, { end: false });
    cut.once('end', () => endTruncated(exchange, cut, proxyRes));
  }

  /** Once the client has been written every byte it gets: a whole body ends the response, a cut one the connection. */
  function endTruncated(exchange: Exchange, cut: TruncatingStream, proxyRes: IncomingMessage): void {
    const { req, res } = exchange;
    if (!cut.truncated) {
      res.end();
      return;
    }
    exchange.fault = 'truncated';
    if (!res.headersSent) res.flushHeaders();
    proxyRes.destroy();
    // end, not destroy: the bytes already written (and still corked) reach the client before the FIN.
    req.socket.end();
  }

  function onUpstreamError(error: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket): void {
    const exchange = (req as ProxiedRequest).exchange;
    if (exchange === undefined || !('setHeader' in res)) {
      res.destroy();
      return;
    }
    const timedOut = error.code === 'ETIMEDOUT' || error.code === 'ESOCKETTIMEDOUT';
    if (res.headersSent) {
      exchange.error = 'upstream_reset';
      res.destroy();
      return;
    }
    exchange.error = timedOut ? 'upstream_timeout' : 'upstream_unreachable';
    writeErrorResponse(res, timedOut ? 'upstream_timeout' : 'upstream_unreachable', {
      html: wantsHtml(req.headers.accept),
      details: upstreamFailures.note(error, req.url, (req as ProxiedRequest).upstream?.target),
    });
  }

  function onResponseClose(this: ServerResponse): void {
    const req = this.req as ProxiedRequest;
    const exchange = req.exchange;
    if (exchange === undefined) return;
    req.exchange = undefined;
    if (exchange.timer !== undefined) clearTimeout(exchange.timer);
    exchange.upPacer?.destroy();
    exchange.downPacer?.destroy();
    exchange.stall?.destroy();
    takeSocketBytes(req.socket, exchange);
    const { session, bytesIn, bytesOut } = exchange;
    session.recordRequest(bytesIn, bytesOut);
    const finished = this.writableFinished;
    if (!finished && exchange.error === '' && exchange.fault === '') exchange.error = 'client_aborted';
    if (!telemetry.enabled) return;
    const url = req.url ?? '/';
    const row: RequestRow = {
      ts: exchange.ts,
      sessionHash: session.hash,
      proxyId,
      method: req.method ?? '',
      // Forward mode: the host the request went to, whatever Host the client wrote.
      host: req.upstream?.host ?? req.headers.host ?? '',
      path: pathOf(url),
      route: '',
      status: this.headersSent ? this.statusCode : 0,
      upstreamMs: exchange.upstreamMs,
      totalMs: performance.now() - exchange.now,
      // A stall that happened is injected time too: lateness (total − upstream − injected) stays the proxy's own.
      injectedMs: exchange.stall?.stalled === true ? exchange.delayMs + exchange.stallMs : exchange.delayMs,
      bytesIn,
      bytesOut,
      shaping: exchange.shapingLabel,
      shapingVersion: exchange.shapingVersion,
      fault: exchange.fault,
      error: exchange.error,
      country: '',
    };
    telemetry.request(row, session.ip);
  }

  return { handleRequest, forwarder, requestsTotal: () => requestsTotal };
}

function appendSetCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('set-cookie');
  if (existing === undefined) res.setHeader('set-cookie', cookie);
  else res.setHeader('set-cookie', Array.isArray(existing) ? [...existing, cookie] : [String(existing), cookie]);
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}
