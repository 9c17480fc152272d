import {
  reconnectDelay,
  ServerToDashboardSchema,
  type BackoffOptions,
  type DashboardToServer,
  type ServerToDashboard,
  type WsTicketResponse,
} from '@downspin/protocol';
import { ApiProblem, describeError } from '../api/problem.js';

/** The dashboard waits longer than the extension: 500 ms doubling to 5 s, each wait up to 20 % shorter by chance. */
const DASHBOARD_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 5000, jitter: 0.2 };

export type ConnectionStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'open' }
  /** Lost (or never made): retrying by itself at `retryAt` (epoch ms). */
  | { state: 'disconnected'; attempt: number; retryAt: number; reason: string }
  /** The key is no longer accepted: retrying cannot help. */
  | { state: 'unauthorized'; reason: string }
  | { state: 'stopped' };

/** The part of the browser's WebSocket this uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface LiveConnectionOptions {
  /** `POST /admin/ws-ticket`: a fresh single-use ticket for every attempt. */
  ticket: () => Promise<WsTicketResponse>;
  /** The ticket's path (`/ws/dashboard?ticket=…`) as a ws:// or wss:// URL. */
  url: (path: string) => string;
  onMessage: (message: ServerToDashboard) => void;
  onStatus: (status: ConnectionStatus) => void;
  socket?: SocketFactory;
  backoff?: BackoffOptions;
  /** No message for this long means a dead connection (the server sends stats every second). Default 10 s. */
  silenceMs?: number;
  now?: () => number;
}

const OPEN = 1;

/** Close codes in words, for the "disconnected" banner. */
export function closeReason(code: number): string {
  switch (code) {
    case 1001:
      return 'the control API is restarting or shutting down';
    case 1006:
      return 'the connection to the control API was lost';
    case 1008:
    case 1009:
      return 'the control API refused a message';
    case 1011:
      return 'the control API had an internal error';
    case 1013:
      return 'the control API is overloaded';
    default:
      return `the connection closed (code ${code})`;
  }
}

/** The page's own origin as a WebSocket URL (wss:// behind TLS). */
export function sameOriginSocketUrl(path: string, location: { protocol: string; host: string } = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

/**
 * The dashboard's live channel (`WS /ws/dashboard`): gets a ticket, opens
 * the socket, hands on each valid server message, and when the connection
 * is lost (or silent too long) reconnects by itself with backoff, reporting
 * each state so the page can show it. Only a refused key stops it.
 */
export class LiveConnection {
  private socket: SocketLike | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** Messages that did not match the protocol (ignored). */
  dropped = 0;

  constructor(private readonly options: LiveConnectionOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'dashboard closed');
    this.options.onStatus({ state: 'stopped' });
  }

  /** Skips the wait of a scheduled retry. */
  retryNow(): void {
    if (this.stopped || this.socket !== undefined || this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.connect();
  }

  /** Asks for a fresh snapshot (e.g. when the tab becomes visible again). */
  resync(): void {
    this.send({ type: 'resync' });
  }

  private send(message: DashboardToServer): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    this.retryTimer = undefined;
    this.silenceTimer = undefined;
  }

  private async connect(): Promise<void> {
    this.options.onStatus({ state: 'connecting', attempt: this.attempt });
    let path: string;
    try {
      path = (await this.options.ticket()).path;
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof ApiProblem && error.unauthorized) {
        this.options.onStatus({ state: 'unauthorized', reason: describeError(error) });
        return;
      }
      this.scheduleRetry(describeError(error));
      return;
    }
    if (this.stopped) return;
    let socket: SocketLike;
    try {
      socket = (this.options.socket ?? ((url: string) => new WebSocket(url)))(this.options.url(path));
    } catch (error) {
      this.scheduleRetry(describeError(error));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.watchSilence(socket);
      this.options.onStatus({ state: 'open' });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.watchSilence(socket);
      this.receive(event.data);
    };
    socket.onerror = () => {
      // A close event follows with the code; nothing to do here.
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      clearTimeout(this.silenceTimer);
      if (!this.stopped) this.scheduleRetry(closeReason(event.code));
    };
  }

  private receive(data: unknown): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      this.dropped++;
      return;
    }
    const message = ServerToDashboardSchema.safeParse(parsed);
    if (!message.success) {
      this.dropped++;
      return;
    }
    // A snapshot means the server took us fully: the next loss starts the backoff again.
    if (message.data.type === 'snapshot') this.attempt = 0;
    this.options.onMessage(message.data);
  }

  /** A half-open connection (sleeping laptop, dropped network) never closes by itself: give up on silence. */
  private watchSilence(socket: SocketLike): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      socket.close(4000, 'silent');
      this.scheduleRetry('no word from the control API for a while');
    }, this.options.silenceMs ?? 10_000);
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped) return;
    const delay = reconnectDelay(this.attempt, { ...DASHBOARD_BACKOFF, ...this.options.backoff });
    this.options.onStatus({ state: 'disconnected', attempt: this.attempt, retryAt: this.now() + delay, reason });
    this.attempt++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }
}
