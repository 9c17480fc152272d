import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { MemoryBus } from '@downspin/bus';
import { startProxy, type RunningProxy } from '../server.js';

/** One request the upstream parsed. */
export interface LoggedRequest {
  method: string;
  url: string;
  host: string;
  bodyBytes: number;
  /** The body arrived whole (the request ended normally). */
  complete: boolean;
}

export interface LoggingUpstream {
  url: string;
  port: number;
  /** Every request parsed, in arrival order (complete or not). */
  requests: LoggedRequest[];
  /** Every byte received, per connection (latin1), for failure messages. */
  raw: { bytes: string }[];
  reset(): void;
  close(): Promise<void>;
}

/**
 * A raw upstream for the hostile-input corpus: a net.Server that records
 * every byte it receives and relays it to a *lenient* HTTP parser
 * (insecureHTTPParser), the kind of app server most easily confused by
 * ambiguous framing. A request smuggled through the proxy shows up here as a
 * parsed request nobody sent on purpose. Answers every request 200 `ok`.
 * (A relay, not `emit('connection')`: Node's HTTP server reads a socket's
 * handle directly, so a recorder on the same socket would see nothing.)
 */
export async function startLoggingUpstream(): Promise<LoggingUpstream> {
  const requests: LoggedRequest[] = [];
  const raw: { bytes: string }[] = [];
  const sockets = new Set<net.Socket>();
  const parser = http.createServer({ insecureHTTPParser: true, keepAliveTimeout: 60_000 }, (req, res) => {
    const logged: LoggedRequest = { method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', bodyBytes: 0, complete: false };
    requests.push(logged);
    req.on('data', (chunk: Buffer) => (logged.bodyBytes += chunk.length));
    req.on('error', () => undefined);
    req.on('end', () => {
      logged.complete = true;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
  });
  parser.on('clientError', (_error, socket) => socket.destroy());
  parser.listen(0, '127.0.0.1');
  await once(parser, 'listening');
  const parserPort = (parser.address() as net.AddressInfo).port;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const received = { bytes: '' };
    raw.push(received);
    const inner = net.connect(parserPort, '127.0.0.1');
    socket.on('data', (chunk: Buffer) => {
      received.bytes += chunk.toString('latin1');
      inner.write(chunk);
    });
    inner.on('data', (chunk: Buffer) => socket.write(chunk));
    const end = (): void => {
      socket.destroy();
      inner.destroy();
    };
    socket.on('close', () => {
      sockets.delete(socket);
      end();
    });
    inner.on('close', end);
    socket.on('error', () => undefined);
    inner.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    raw,
    reset() {
      requests.length = 0;
      raw.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      parser.closeAllConnections();
      parser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A logging upstream with an unshaped proxy in front of it, as the hostile-input suites use it. */
export interface ProxiedLoggingUpstream {
  upstream: LoggingUpstream;
  proxy: RunningProxy;
  close(): Promise<void>;
}

export async function startProxiedLoggingUpstream(): Promise<ProxiedLoggingUpstream> {
  const upstream = await startLoggingUpstream();
  const bus = new MemoryBus();
  const proxy = await startProxy({ target: upstream.url, port: 0, bus, loadShaping: async () => [] });
  return {
    upstream,
    proxy,
    close: async () => {
      await proxy.close();
      await upstream.close();
      await bus.close();
    },
  };
}
