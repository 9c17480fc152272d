import type { Page, Request } from '@playwright/test';

/** What the browser moved to and from one origin, as Chromium measured it. */
export interface BrowserBytes {
  /** HTTP requests that finished (each with its sizes). */
  requests: number;
  /** Request bodies plus WebSocket payloads sent: the least the proxy must count in. */
  bodiesIn: number;
  /** Response bodies (as sent on the wire) plus WebSocket payloads received: the least counted out. */
  bodiesOut: number;
  /** Request headers as sent, and WebSocket frame headers and handshakes (estimated, see below). */
  headersIn: number;
  /** Response headers as received, WebSocket frame headers and handshakes (estimated). */
  headersOut: number;
  /** WebSocket payload bytes sent and received. */
  wsIn: number;
  wsOut: number;
}

/** A WebSocket frame header is 2–14 bytes (client frames are masked: +4). */
const WS_FRAME_HEADER = 14;
/** Handshake request or response headers of one WebSocket; Chromium does not report them per socket here. */
const WS_HANDSHAKE = 1024;

/** How long a reading waits for the requests in flight when it was asked for. */
const IN_FLIGHT_TIMEOUT_MS = 30_000;

/**
 * Counts, from the page's own network events (Chromium's `Request.sizes()`,
 * the CDP encodedDataLength figures, and the frames of its WebSockets),
 * every byte the page moved to `origin`. Call before the page loads.
 *
 * A reading first waits for the requests in flight when it was asked for to
 * finish (or fail): the proxy may have counted a response it has sent whole
 * while the browser has not finished it yet (a 3.6 MB script, on a busy machine).
 */
export function recordBrowserBytes(page: Page, origin: string): () => Promise<BrowserBytes> {
  const sizes: Promise<{ requestBodySize: number; requestHeadersSize: number; responseBodySize: number; responseHeadersSize: number }>[] = [];
  const ws = { sockets: 0, framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };
  const ours = (url: string): boolean => new URL(url).origin === origin;
  const inFlight = new Map<Request, { ended: Promise<void>; end: () => void }>();
  page.on('request', (request) => {
    if (!ours(request.url())) return;
    let end = (): void => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    inFlight.set(request, { ended, end });
  });
  const ended = (request: Request): void => {
    inFlight.get(request)?.end();
    inFlight.delete(request);
  };
  page.on('requestfailed', ended);
  page.on('requestfinished', (request) => {
    ended(request);
    if (ours(request.url())) sizes.push(request.sizes());
  });
  page.on('websocket', (socket) => {
    if (new URL(socket.url().replace(/^ws/, 'http')).origin !== origin) return;
    ws.sockets++;
    const length = (payload: string | Buffer): number => (typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length);
    socket.on('framesent', ({ payload }) => {
      ws.framesIn++;
      ws.bytesIn += length(payload);
    });
    socket.on('framereceived', ({ payload }) => {
      ws.framesOut++;
      ws.bytesOut += length(payload);
    });
  });
  return async () => {
    const waiting = [...inFlight.values()].map((r) => r.ended);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${waiting.length} requests to ${origin} still in flight after ${IN_FLIGHT_TIMEOUT_MS} ms`)), IN_FLIGHT_TIMEOUT_MS);
    });
    await Promise.race([Promise.all(waiting), deadline]).finally(() => clearTimeout(timer));
    const all = await Promise.all(sizes);
    const sum = (pick: (s: (typeof all)[number]) => number): number => all.reduce((total, s) => total + Math.max(0, pick(s)), 0);
    return {
      requests: all.length,
      bodiesIn: sum((s) => s.requestBodySize) + ws.bytesIn,
      bodiesOut: sum((s) => s.responseBodySize) + ws.bytesOut,
      headersIn: sum((s) => s.requestHeadersSize) + ws.framesIn * WS_FRAME_HEADER + ws.sockets * WS_HANDSHAKE,
      headersOut: sum((s) => s.responseHeadersSize) + ws.framesOut * WS_FRAME_HEADER + ws.sockets * WS_HANDSHAKE,
      wsIn: ws.bytesIn,
      wsOut: ws.bytesOut,
    };
  };
}
