import dns from 'node:dns/promises';
import type { IncomingMessage, Server } from 'node:http';
import net, { type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ErrorCode } from '@downspin/protocol';
import type { Logger } from 'pino';
import { writeUpgradeRefusal } from '../errors.js';
import { MALFORMED_CREDENTIALS, parseAuthority, parseProxySession, PROXY_AUTHENTICATE, type Authority } from './authority.js';
import { isForbiddenAddress } from './addresses.js';
import type { ForwardMode } from './mode.js';

/** Raw tunnels of unlisted hosts open at once (--tunnel-unlisted); beyond it a CONNECT is answered 503. */
const MAX_RAW_TUNNELS = 1024;
/** A raw tunnel with no bytes either way for this long is closed. */
const RAW_TUNNEL_IDLE_MS = 5 * 60_000;

/**
 * CONNECT on the proxy port. A listed host is intercepted: the client gets
 * `200`, then a TLS handshake with a leaf certificate of that host signed
 * by the local CA, and the decrypted socket is handed to the same HTTP
 * server as a new connection, so its requests (and WebSocket upgrades) take
 * the one request path. An unlisted host is refused (403), or with
 * --tunnel-unlisted piped untouched to its address, which may then not be
 * the proxy's own machine, link-local or a metadata service.
 */
export class ConnectHandler {
  private rawTunnels = 0;

  constructor(
    private readonly server: Server,
    private readonly mode: ForwardMode,
    private readonly logger: Logger,
  ) {}

  get openRawTunnels(): number {
    return this.rawTunnels;
  }

  handle(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', destroyOnError);
    const { parts } = this.mode;
    const authority = parseAuthority(req.url ?? '');
    if (authority === undefined) return refuse(socket, 'bad_connect_target');
    const session = parseProxySession(header(req, 'proxy-authorization'));
    if (session === MALFORMED_CREDENTIALS) return refuse(socket, 'malformed_proxy_credentials');
    if (parts.rules.matches(authority.host)) {
      if (session === undefined && parts.requireProxyAuth) return refuse(socket, 'proxy_credentials_required', PROXY_AUTHENTICATE);
      this.intercept(authority, session, socket, head).catch((error: unknown) => {
        this.logger.error({ err: error, host: authority.host }, 'TLS interception failed; the client socket was closed');
        refuse(socket, 'internal');
      });
      return;
    }
    if (!parts.tunnelUnlisted) return refuse(socket, 'forward_host_refused');
    if (this.rawTunnels >= MAX_RAW_TUNNELS) return refuse(socket, 'forward_tunnels_exhausted');
    this.tunnel(authority, socket, head).catch((error: unknown) => {
      this.logger.error({ err: error, host: authority.host }, 'tunnel failed; the client socket was closed');
      socket.destroy();
    });
  }

  /**
   * Answers 200, then reads the tunnel's first byte: a TLS handshake
   * (0x16) is terminated with the host's leaf certificate; anything else is
   * plain HTTP (browsers tunnel `ws://` through CONNECT too) and goes to the
   * host over http. Either way the HTTP server gets the connection.
   */
  private async intercept(authority: Authority, session: string | undefined, socket: Socket, head: Buffer): Promise<void> {
    const { ca, upstreams } = this.mode.parts;
    if (ca === undefined) return refuse(socket, 'forward_host_refused');
    const secureContext = await ca.contextFor(authority.host);
    if (socket.destroyed) return;
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // Until the HTTP server owns the connection (and its header timeout), a silent client is closed here.
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    const first = head.length > 0 ? head : await firstChunk(socket);
    if (first === undefined || socket.destroyed) return;
    socket.setTimeout(0);
    socket.unshift(first);
    if (first[0] !== TLS_HANDSHAKE) {
      this.mode.tunnels.set(socket, { upstream: upstreams.get(false, authority.host, authority.port), session });
      this.server.emit('connection', socket);
      socket.resume();
      return;
    }
    // The raw socket now carries TLS only: the TLS socket above reports its errors to the HTTP server.
    const tls = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    this.mode.tunnels.set(tls, { upstream: upstreams.get(true, authority.host, authority.port), session });
    this.server.emit('connection', tls);
  }

  private async tunnel(authority: Authority, socket: Socket, head: Buffer): Promise<void> {
    this.rawTunnels++;
    let counted = true;
    const release = (): void => {
      if (counted) this.rawTunnels--;
      counted = false;
    };
    socket.once('close', release);
    const address = await this.addressOf(authority);
    if (address === undefined) {
      refuse(socket, 'forward_address_refused');
      return;
    }
    if (socket.destroyed) return;
    // The address checked is the one connected to: a second DNS answer cannot swap it.
    const upstream = net.connect({ host: address, port: authority.port });
    upstream.on('error', () => {
      if (upstream.connecting && !socket.destroyed) refuse(socket, 'upstream_unreachable');
      else socket.destroy();
      upstream.destroy();
    });
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
    upstream.once('connect', () => {
      if (socket.destroyed) {
        upstream.destroy();
        return;
      }
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      socket.setTimeout(RAW_TUNNEL_IDLE_MS, () => socket.destroy());
      upstream.setTimeout(RAW_TUNNEL_IDLE_MS, () => upstream.destroy());
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
  }

  /** The address to tunnel an unlisted host to, or undefined when every address it has is forbidden. */
  private async addressOf({ host, port }: Authority): Promise<string | undefined> {
    const mapped = this.mode.parts.resolve.addressOf(host, port);
    if (mapped !== undefined) return isForbiddenAddress(mapped) ? undefined : mapped;
    if (net.isIP(host) !== 0) return isForbiddenAddress(host) ? undefined : host;
    let addresses: { address: string }[];
    try {
      addresses = await dns.lookup(host, { all: true });
    } catch {
      return undefined;
    }
    // One forbidden answer refuses the host: a name that resolves to the metadata service is no public host.
    if (addresses.length === 0 || addresses.some((entry) => isForbiddenAddress(entry.address))) return undefined;
    return addresses[0]!.address;
  }
}

/** The first byte of a TLS record carrying a handshake (the ClientHello). */
const TLS_HANDSHAKE = 0x16;
/** How long a tunnel may stay silent after its 200 before it is closed. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

/** The socket's next chunk, paused after it; undefined when it closed first. */
function firstChunk(socket: Socket): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      socket.off('close', onClose);
      socket.pause();
      resolve(chunk);
    };
    const onClose = (): void => {
      socket.off('data', onData);
      resolve(undefined);
    };
    socket.once('data', onData);
    socket.once('close', onClose);
  });
}

function refuse(socket: Socket, code: ErrorCode, headers?: readonly string[]): void {
  try {
    writeUpgradeRefusal(socket, code, undefined, headers);
  } catch {
    socket.destroy();
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function destroyOnError(this: Socket): void {
  this.destroy();
}
