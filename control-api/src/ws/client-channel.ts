import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Bus } from '@downspin/bus';
import type { SessionStore } from '@downspin/db';
import {
  CLIENT_CHANNEL_MAX_PAYLOAD,
  ClientToServerSchema,
  explainShaping,
  sessionHash,
  WS_CLOSE_RATE_LIMITED,
  WS_CLOSE_TERMINATED,
  WS_CLOSE_UNAUTHENTICATED,
  type ClientDelivery,
  type ClientToServer,
  type ServerToClient,
} from '@downspin/protocol';
import type { Logger } from 'pino';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { ClientEventIntake } from '../events/intake.js';
import { addressKey, describeLimit, type ClientLimits } from '../limits/client-limits.js';
import { recordConsent } from '../sessions/consent.js';
import { refuseUpgrade } from './refuse.js';
import { SocketSet } from './sockets.js';

export interface ClientChannelOptions {
  store: SessionStore;
  bus: Bus;
  intake: ClientEventIntake;
  /** Connections, hellos and event batches per source address and per session. */
  limits: ClientLimits;
  logger: Logger;
  /** The hello must arrive this soon after connecting. Default 5000 ms. */
  helloTimeoutMs?: number;
  /** Default 30 000 ms. */
  pingIntervalMs?: number;
  /** Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Told when a session gave consent (its dashboard row changed). */
  onConsent?: (sessionId: string) => void;
}

/** Why a client message was dropped. */
export type ClientDropReason = 'malformed' | 'unknown_type' | 'repeated_hello' | 'too_large';

export interface ClientChannelStats {
  connected: number;
  /** Sessions with at least one open socket here. */
  sessions: number;
  /** Server messages sent to sockets. */
  delivered: number;
  /** Client messages dropped, by reason. */
  dropped: Record<ClientDropReason, number>;
  /** Connections closed 4401: no valid hello in time. */
  unauthenticated: number;
  slowConsumers: number;
}

interface Peer {
  sessionId: string;
  hash: string;
  address: string;
}

/** Messages kept while a hello is being set up; more are dropped. */
const EARLY_MESSAGES = 16;

/** Codes ws gives a message over `maxPayload`. */
const TOO_LARGE = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

/**
 * `WS /ws/client`: the extension's command channel on this control
 * instance. A connection proves its session with a `hello` (session id and
 * consent) within `helloTimeoutMs`, or is closed 4401. Consent is recorded
 * and the extension is welcomed with the session's hash and current mode.
 *
 * Server messages for a session travel on bus channel `client` (published
 * by whichever instance took the API call); every instance delivers them to
 * the sockets it holds. `terminate` is sent, then the socket closes 4403.
 * Client `events` go to the event intake. Invalid messages are dropped and
 * counted; a message over `CLIENT_CHANNEL_MAX_PAYLOAD` closes the socket 1009.
 */
export class ClientChannel {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: CLIENT_CHANNEL_MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false });
  private readonly sockets: SocketSet;
  private readonly peers = new Map<WebSocket, Peer>();
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly dropped: Record<ClientDropReason, number> = { malformed: 0, unknown_type: 0, repeated_hello: 0, too_large: 0 };
  private delivered = 0;
  private unauthenticated = 0;

  constructor(private readonly options: ClientChannelOptions) {
    this.sockets = new SocketSet({ pingIntervalMs: options.pingIntervalMs ?? 30_000, maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024 });
  }

  /** Listens for deliveries on the bus; resolves to the unsubscribe function. */
  start(): Promise<() => Promise<void>> {
    return this.options.bus.subscribe('client', (delivery) => {
      this.deliver(delivery);
    });
  }

  /** Takes an upgrade request already routed, origin-checked, to this channel. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = addressKey(req.socket.remoteAddress);
    const { limits } = this.options;
    if (!limits.mayConnect(address)) {
      refuseUpgrade(socket, 'client_rate_limited', `Too many open client channels from this address (at most ${limits.connectionsPerAddress}).`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      limits.opened(address);
      ws.once('close', () => limits.closed(address));
      this.connected(ws, address);
    });
  }

  /** Sends a server message to every socket of the session held here; returns how many got it. */
  deliver({ sessionId, message }: ClientDelivery): number {
    const targets = this.bySession.get(sessionId);
    if (targets === undefined) return 0;
    let sent = 0;
    for (const ws of [...targets]) {
      if (this.send(ws, message)) sent++;
      if (message.type === 'terminate') ws.close(WS_CLOSE_TERMINATED, 'session terminated');
    }
    return sent;
  }

  stats(): ClientChannelStats {
    const sockets = this.sockets.stats();
    return {
      connected: sockets.connected,
      sessions: this.bySession.size,
      delivered: this.delivered,
      dropped: { ...this.dropped },
      unauthenticated: this.unauthenticated,
      slowConsumers: sockets.slowConsumers,
    };
  }

  close(): void {
    this.sockets.close();
    this.wss.close();
  }

  private connected(ws: WebSocket, address: string): void {
    this.sockets.add(ws);
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === TOO_LARGE) this.dropped.too_large++;
      else this.options.logger.debug({ err: error }, 'client channel socket error');
    });
    const helloTimer = setTimeout(() => this.refuse(ws, 'no hello in time'), this.options.helloTimeoutMs ?? 5000);
    helloTimer.unref();
    ws.once('close', () => {
      clearTimeout(helloTimer);
      this.forget(ws);
    });
    // Messages that arrive while the hello is being set up wait for it (ws may still emit a few after pause()).
    let early: ClientToServer[] | undefined;
    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== ws.OPEN) return;
      const message = this.parse(data, isBinary);
      const peer = this.peers.get(ws);
      if (peer !== undefined) {
        if (message !== undefined) this.handle(ws, peer, message);
        return;
      }
      if (early !== undefined) {
        if (message !== undefined && early.length < EARLY_MESSAGES) early.push(message);
        return;
      }
      // Before the hello nothing else is read: the first message is the hello or the end.
      clearTimeout(helloTimer);
      if (message?.type !== 'hello') {
        this.refuse(ws, 'the first message must be a valid hello');
        return;
      }
      const verdict = this.options.limits.hello(address, message.sessionId);
      if (verdict.retryAfterS > 0) {
        // Refused before consent is recorded: a flood of made-up ids creates no sessions.
        ws.close(WS_CLOSE_RATE_LIMITED, describeLimit('hellos', verdict));
        return;
      }
      early = [];
      void this.hello(ws, message, address).then((welcomed) => {
        const waiting = early ?? [];
        early = undefined;
        if (welcomed) for (const next of waiting) this.handle(ws, welcomed, next);
      });
    });
  }

  private parse(data: RawData, isBinary: boolean): ClientToServer | undefined {
    let value: unknown;
    try {
      if (isBinary) throw new Error('binary');
      value = JSON.parse(rawText(data));
    } catch {
      this.dropped.malformed++;
      return undefined;
    }
    const parsed = ClientToServerSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && !['hello', 'events', 'keepalive', 'revoke'].includes(type)) this.dropped.unknown_type++;
    else this.dropped.malformed++;
    return undefined;
  }

  private handle(ws: WebSocket, peer: Peer, message: ClientToServer): void {
    switch (message.type) {
      case 'keepalive':
        this.sockets.touch(ws);
        return;
      case 'events': {
        const verdict = this.options.limits.events(peer.address, peer.sessionId);
        if (verdict.retryAfterS > 0) {
          this.options.intake.reject();
          ws.close(WS_CLOSE_RATE_LIMITED, describeLimit('event batches', verdict));
          return;
        }
        // The hello carried consent (it is required there), so a welcomed socket may send events.
        this.options.intake.accept(peer.hash, message.events);
        return;
      }
      case 'hello':
        this.dropped.repeated_hello++;
        return;
      case 'revoke':
        // The user withdrew consent: nothing more is stored for this session, and the channel ends.
        recordConsent(this.options.store, peer.sessionId, false)
          .catch((error: unknown) => this.options.logger.warn({ err: error }, 'client channel: could not record a revoke'))
          .finally(() => ws.close(1000, 'consent revoked'));
        return;
    }
  }

  /** Sets the session up; resolves to the peer once welcomed, undefined when the socket was closed instead. */
  private async hello(ws: WebSocket, hello: Extract<ClientToServer, { type: 'hello' }>, address: string): Promise<Peer | undefined> {
    // Nothing more is read until the session is set up, so no message overtakes the welcome.
    ws.pause();
    const { store, logger } = this.options;
    let hash: string;
    let state;
    try {
      await recordConsent(store, hello.sessionId, true);
      hash = await sessionHash(hello.sessionId);
      state = (await store.getShaping(hello.sessionId))?.state ?? { mode: 'none' as const };
    } catch (error) {
      logger.warn({ err: error }, 'client channel: could not record consent; closing');
      // Reading again, so the closing handshake can complete.
      ws.resume();
      ws.close(1011, 'session store unavailable');
      return undefined;
    }
    ws.resume();
    if (ws.readyState !== ws.OPEN) return undefined;
    this.options.onConsent?.(hello.sessionId);
    if (state.mode === 'terminated') {
      this.send(ws, { type: 'terminate', reason: state.reason });
      ws.close(WS_CLOSE_TERMINATED, 'session terminated');
      return undefined;
    }
    const peer = { sessionId: hello.sessionId, hash, address };
    this.peers.set(ws, peer);
    let set = this.bySession.get(hello.sessionId);
    if (set === undefined) this.bySession.set(hello.sessionId, (set = new Set()));
    set.add(ws);
    this.send(ws, { type: 'welcome', sessionHash: hash, mode: state.mode, shaping: explainShaping(state).slice(0, 512) });
    return peer;
  }

  private send(ws: WebSocket, message: ServerToClient): boolean {
    const sent = this.sockets.send(ws, JSON.stringify(message));
    if (sent) this.delivered++;
    return sent;
  }

  private refuse(ws: WebSocket, reason: string): void {
    if (this.peers.has(ws) || ws.readyState !== ws.OPEN) return;
    this.unauthenticated++;
    ws.close(WS_CLOSE_UNAUTHENTICATED, reason);
  }

  private forget(ws: WebSocket): void {
    const peer = this.peers.get(ws);
    if (peer === undefined) return;
    this.peers.delete(ws);
    const set = this.bySession.get(peer.sessionId);
    set?.delete(ws);
    if (set?.size === 0) this.bySession.delete(peer.sessionId);
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
