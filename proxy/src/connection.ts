import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Exchange } from './exchange.js';
import type { Upstream } from './forward/upstreams.js';

/**
 * The server's request class, with the exchange as a declared field: setting
 * an ad-hoc property on every request would change its hidden class and slow
 * Node's own code that handles requests.
 */
export class ProxiedRequest extends IncomingMessage {
  exchange: Exchange | undefined = undefined;
  /** Socket bytes read and performance.now() at the body's last progress (BodyWatchdog). */
  progressBytes = 0;
  progressAt = 0;
  /** Forward mode: the host this request goes to (undefined: reverse mode, --target). */
  upstream: Upstream | undefined = undefined;
  /** The current upstream try went out on a kept-alive socket (ClientRequest.reusedSocket), for mayTryAgain. */
  upstreamReused = false;
  /** The client sent a body: noted as it is forwarded, before the hop-by-hop pass strips Transfer-Encoding. */
  withBody = false;
  /** Forward mode: the session its proxy credentials (or its tunnel's) name. */
  proxySession: string | undefined = undefined;
}

/** Whether a request carries a body, from its headers as the client sent them. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const kMarks = Symbol('downspin.socketMarks');

/** Bytes a connection had read and written when its previous response ended. */
interface SocketMarks {
  read: number;
  written: number;
}

type MarkedSocket = Socket & { [kMarks]?: SocketMarks };

/** Called once per connection, so every socket has the same shape from the start. */
export function markConnection(socket: Socket): void {
  (socket as MarkedSocket)[kMarks] = { read: 0, written: 0 };
}

/** Bytes read and written on the socket since the previous response on it ended. */
export function takeSocketBytes(socket: Socket, into: { bytesIn: number; bytesOut: number }): void {
  const marks = (socket as MarkedSocket)[kMarks];
  const read = socket.bytesRead;
  const written = socket.bytesWritten;
  into.bytesIn = read - (marks?.read ?? 0);
  into.bytesOut = written - (marks?.written ?? 0);
  if (marks !== undefined) {
    marks.read = read;
    marks.written = written;
  }
}
