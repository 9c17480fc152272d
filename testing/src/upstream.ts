import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the test upstream saw of one request. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  bodyBytes: number;
  /** performance.now() when the request headers arrived. */
  arrivedAt: number;
  /** performance.now() of the first and last body byte (undefined without a body). */
  firstByteAt?: number;
  lastByteAt?: number;
}

export interface TestUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  requestUrls(): string[];
  /** Forget recorded requests. */
  reset(): void;
  /** Close the server and destroy every open socket. */
  stop(): Promise<void>;
  /** Open WebSocket connections on /ws. */
  sockets: Set<WebSocket>;
  /** TCP connections open to this upstream (keep-alive, in flight, WebSocket). */
  openConnections(): number;
}

/**
 * A recording upstream for proxy tests (after Playwright's test server):
 *  - `/bytes/:n` streams n bytes in 16 KiB chunks
 *  - `/status/:code` answers that status
 *  - `/slow/:ms` answers after ms
 *  - `/reset` destroys the socket mid-response
 *  - `/upload` reads the body and answers `{ bytes, ms }` (first to last byte)
 *  - anything else echoes `{ method, url, headers }`
 *  - WebSocket `/ws`: echoes each message; `/ws/ticks` sends `{ t: Date.now() }` on request;
 *    `/ws/forbidden` refuses the handshake with 401
 */
export async function startTestUpstream(options: { host?: string } = {}): Promise<TestUpstream> {
  const requests: RecordedRequest[] = [];
  const openSockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      bodyBytes: 0,
      arrivedAt: performance.now(),
    };
    requests.push(record);
    req.on('data', (chunk: Buffer) => {
      const now = performance.now();
      record.firstByteAt ??= now;
      record.lastByteAt = now;
      record.bodyBytes += chunk.length;
    });
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('end', () => respond(req, res, record));
  });
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });

  // /ws/forbidden refuses the handshake with 401, like an app that wants a login.
  const wss = new WebSocketServer({
    server,
    verifyClient: (info, done) => (info.req.url?.startsWith('/ws/forbidden') ? done(false, 401) : done(true)),
  });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws, req) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (req.url?.startsWith('/ws/ticks')) ws.send(JSON.stringify({ t: Date.now(), echo: data.toString() }));
      else ws.send(data, { binary: isBinary });
    });
  });

  server.listen(0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    sockets,
    requestUrls: () => requests.map((r) => r.url),
    openConnections: () => openSockets.size,
    reset: () => {
      requests.length = 0;
    },
    stop: async () => {
      for (const ws of sockets) ws.terminate();
      for (const socket of openSockets) socket.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest): void {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const [, first, arg] = url.pathname.split('/');
  switch (first) {
    case 'bytes': {
      const total = Number(arg);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
      const chunk = Buffer.alloc(16 * 1024, 97);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += piece.length;
          if (!res.write(piece)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    case 'status':
      res.writeHead(Number(arg) || 500, { 'content-type': 'text/plain' });
      res.end(`status ${arg}`);
      return;
    case 'slow':
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('slow');
      }, Number(arg));
      return;
    case 'reset':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 5);
      return;
    case 'upload': {
      const ms = record.firstByteAt !== undefined && record.lastByteAt !== undefined ? record.lastByteAt - record.firstByteAt : 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bytes: record.bodyBytes, ms }));
      return;
    }
    default:
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['app_cookie=1; Path=/'] });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes: record.bodyBytes }));
  }
}
