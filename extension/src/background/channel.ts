import { reconnectDelay, WS_CLOSE_TERMINATED, type BackoffOptions, type ClientToServer } from '@downspin/protocol';

/** The part of the browser's WebSocket the channel uses (a fake in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => unknown) | null;
  onmessage: ((event: MessageEvent) => unknown) | null;
  onclose: ((event: CloseEvent) => unknown) | null;
  onerror: ((event: Event) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

export type ChannelState = 'connecting' | 'open' | 'waiting' | 'stopped' | 'terminated';

export interface ChannelStatus {
  state: ChannelState;
  /** Epoch ms of the next attempt while waiting. */
  retryAt: number | null;
  /** Failed attempts since the last welcome. */
  attempt: number;
}

export interface CommandChannelOptions {
  /** `ws(s)://…/ws/client`. */
  url: string;
  /** The first message on every connection. */
  hello: Extract<ClientToServer, { type: 'hello' }>;
  createSocket: (url: string) => SocketLike;
  /** Every server message, unread: the dispatcher decides. */
  onMessage: (data: unknown) => void;
  onStatus: (status: ChannelStatus) => void;
  /** Default 20 000 ms: under the MV3 worker's 30 s idle limit. */
  keepaliveMs?: number;
  /** Called with every keepalive sent (the controller keeps Firefox's event page awake with it). */
  onKeepalive?: () => void;
  /** A connection not open after this long is dropped and retried. Default 5000 ms. */
  connectTimeoutMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  now?: () => number;
}

/**
 * The extension's side of `WS /ws/client`: says hello first, sends a
 * keepalive every ~20 s (which also keeps the MV3 service worker alive),
 * and reconnects with exponential backoff and jitter when the connection is
 * lost, until stopped or told the session was terminated (close 4403).
 */
export class CommandChannel {
  private socket: SocketLike | undefined;
  private state: ChannelState = 'stopped';
  private attempt = 0;
  private retryAt: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  private welcomedOnce = false;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: CommandChannelOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  get status(): ChannelStatus {
    return { state: this.state, retryAt: this.retryAt, attempt: this.attempt };
  }

  start(): void {
    if (this.state !== 'stopped') return;
    this.connect();
  }

  /** The server accepted the hello: the next loss starts the backoff from the beginning. */
  welcomed(): boolean {
    this.attempt = 0;
    const again = this.welcomedOnce;
    this.welcomedOnce = true;
    return again;
  }

  /** Sends when connected; false when the message could not be sent now. */
  send(message: ClientToServer): boolean {
    if (this.state !== 'open' || this.socket?.readyState !== OPEN) return false;
    try {
      this.socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  /** Closes for good (revoked consent, new settings). */
  stop(reason = 'stopped by the extension'): void {
    this.finish('stopped', 1000, reason);
  }

  /** The session was terminated: no more attempts. */
  terminate(): void {
    this.finish('terminated', 1000, 'session terminated');
  }

  private finish(state: 'stopped' | 'terminated', code: number, reason: string): void {
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      detach(socket);
      try {
        socket.close(code, reason);
      } catch {
        // Already closed.
      }
    }
    this.retryAt = null;
    this.setState(state);
  }

  private connect(): void {
    this.retryAt = null;
    this.setState('connecting');
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(this.options.url);
    } catch {
      // A malformed URL or a blocked scheme: treated like a lost connection.
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    this.connectTimer = setTimeout(() => {
      if (this.socket === socket && this.state === 'connecting') this.lost(socket);
    }, this.options.connectTimeoutMs ?? 5000);
    socket.onopen = () => {
      if (this.socket !== socket) return;
      clearTimeout(this.connectTimer);
      try {
        socket.send(JSON.stringify(this.options.hello));
      } catch {
        this.lost(socket);
        return;
      }
      this.setState('open');
      this.keepaliveTimer = setInterval(() => {
        if (this.send({ type: 'keepalive' })) this.options.onKeepalive?.();
      }, this.options.keepaliveMs ?? 20_000);
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.options.onMessage(event.data);
    };
    socket.onerror = () => {
      // A close event always follows; that is where the retry is scheduled.
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      if (event.code === WS_CLOSE_TERMINATED) {
        this.socket = undefined;
        this.finish('terminated', 1000, 'session terminated');
        return;
      }
      this.lost(socket);
    };
  }

  private lost(socket: SocketLike): void {
    if (this.socket !== socket) return;
    detach(socket);
    this.socket = undefined;
    try {
      socket.close();
    } catch {
      // Already closed.
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.clearTimers();
    const delay = reconnectDelay(this.attempt, this.options.backoff, this.random);
    this.attempt++;
    this.retryAt = this.now() + delay;
    this.setState('waiting');
    this.retryTimer = setTimeout(() => {
      if (this.state === 'waiting') this.connect();
    }, delay);
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    clearInterval(this.keepaliveTimer);
    this.retryTimer = this.connectTimer = this.keepaliveTimer = undefined;
  }

  private setState(state: ChannelState): void {
    this.state = state;
    this.options.onStatus(this.status);
  }
}

function detach(socket: SocketLike): void {
  socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
}
