import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls, { type TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { LocalCa } from './ca.js';

/** What the origin saw of one request. */
export interface OriginSeen {
  host: string | undefined;
  servername: string | false | null | undefined;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * An https origin with its own CA (as a staging origin has, unknown to the
 * system), echoing what it saw; a WebSocket echo on /ws. Its certificates
 * come from a second LocalCa, so the proxy only trusts it via upstreamCa.
 */
export interface TestOrigin {
  port: number;
  /** The PEM of the origin's own CA (what --upstream-ca points to). */
  caPem: string;
  /** Open TCP connections to the origin. */
  connections(): number;
  close(): Promise<void>;
}

export async function startTestOrigin(host = '127.0.0.1'): Promise<TestOrigin> {
  const dir = await mkdtemp(path.join(tmpdir(), 'downspin-origin-'));
  const ca = await LocalCa.open(dir);
  const sockets = new Set<net.Socket>();
  const server = https.createServer(
    {
      SNICallback: (name, callback) => {
        ca.contextFor(name).then((context) => callback(null, context), callback);
      },
    },
    (req, res) => {
      const seen: OriginSeen = { host: req.headers.host, servername: (req.socket as TLSSocket).servername, url: req.url ?? '', headers: req.headers };
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'origin=1; Domain=api.test; Path=/' });
      res.end(JSON.stringify(seen));
    },
  );
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    caPem: ca.info.pem,
    connections: () => sockets.size,
    async close() {
      wss.close();
      for (const socket of sockets) socket.destroy();
      server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TunnelOptions {
  /** The CA the client trusts (the proxy's); undefined: the system's. */
  ca?: string;
  /** Proxy-Authorization user name (the session id). */
  proxyUser?: string;
}

/** Opens `CONNECT host:port` through the proxy; rejects with the proxy's answer when it is not 200. */
export async function openConnect(proxyPort: number, authority: string, proxyUser?: string): Promise<net.Socket> {
  const socket = net.connect(proxyPort, '127.0.0.1');
  await once(socket, 'connect');
  const auth = proxyUser === undefined ? '' : `Proxy-Authorization: Basic ${Buffer.from(`${proxyUser}:x`).toString('base64')}\r\n`;
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  let received = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      if (received.startsWith('HTTP/1.1 200')) resolve(socket);
      else {
        socket.destroy();
        reject(new Error(received));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed; received ${JSON.stringify(received)}`)));
  });
}

/** A TLS connection to `host` over an open tunnel, trusting `ca`. */
export async function tlsOver(socket: net.Socket, host: string, ca: string | undefined): Promise<TLSSocket> {
  const secure = tls.connect({ socket, servername: host, ...(ca === undefined ? {} : { ca }), ALPNProtocols: ['http/1.1'] });
  await once(secure, 'secureConnect');
  return secure;
}

/** One https GET through a CONNECT tunnel: status, headers and body text. */
export async function getThroughTunnel(
  proxyPort: number,
  host: string,
  port: number,
  requestPath: string,
  options: TunnelOptions & { headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; socket: TLSSocket }> {
  const raw = await openConnect(proxyPort, `${host}:${port}`, options.proxyUser);
  const secure = await tlsOver(raw, host, options.ca);
  return new Promise((resolve, reject) => {
    // http over the TLS socket, no agent: the request uses the connection given.
    const req = http.request(
      { host, port, path: requestPath, headers: options.headers, createConnection: () => secure },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket: secure }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** One request in absolute-form (`GET http://host/path`) to the proxy, as a browser using it as its proxy sends. */
export function absoluteGet(
  proxyPort: number,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, path: url, headers: { host: new URL(url).host, ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
