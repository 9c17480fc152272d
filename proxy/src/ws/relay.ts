import type { ErrorKind } from '@downspin/protocol';
import WebSocket from 'ws';
import type { Closable, SessionRuntime } from '../session/runtime.js';

/** Above this many bytes buffered toward a side, the other side is paused. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
const MAX_QUEUED = 10_000;

interface Pending {
  data: WebSocket.RawData | undefined;
  isBinary: boolean;
  /** A close to pass on, in order after the messages before it. */
  closeCode: number;
  closeReason: string;
  dueAt: number;
}

/** One direction of a relay: messages from `from`, delivered in order to `to`. */
class Lane {
  readonly queue: Pending[] = [];
  head = 0;
  timer: NodeJS.Timeout | undefined;
  lastDueAt = 0;
  messages = 0;
  bytes = 0;
  paused = false;
  constructor(
    readonly from: WebSocket,
    readonly to: WebSocket,
  ) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }
}

export interface RelayResult {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  closeCode: number;
  error: ErrorKind;
}

/**
 * Relays a proxied WebSocket between the client and upstream, delaying each
 * message by the session's latency in both directions. A message is never
 * delivered before one sent earlier in the same direction (its due time is
 * at least the previous one's), and closes travel behind the messages.
 */
export class WsRelay implements Closable {
  private readonly toUpstream: Lane;
  private readonly toClient: Lane;
  private closeCode = 0;
  private error: ErrorKind = '';
  private openSides = 2;
  private watermarkTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: WebSocket,
    private readonly upstream: WebSocket,
    private readonly session: SessionRuntime,
    private readonly path: string,
    private readonly onFinish: (result: RelayResult) => void,
  ) {
    this.toUpstream = new Lane(client, upstream);
    this.toClient = new Lane(upstream, client);
    client.on('message', (data, isBinary) => this.enqueue(this.toUpstream, data, isBinary));
    upstream.on('message', (data, isBinary) => this.enqueue(this.toClient, data, isBinary));
    client.on('close', (code, reason) => this.sideClosed(this.toUpstream, code, reason.toString()));
    upstream.on('close', (code, reason) => this.sideClosed(this.toClient, code, reason.toString()));
    client.on('error', () => this.fail(upstream, 'client_aborted'));
    upstream.on('error', () => this.fail(client, 'upstream_reset'));
    session.webSockets.add(this);
  }

  /** Closes both sides now (terminate): the client gets `code`. */
  close(code: number, reason: string): void {
    this.dropQueued(this.toClient);
    this.dropQueued(this.toUpstream);
    this.closeCode ||= code;
    safeClose(this.client, code, reason);
    safeClose(this.upstream, 1001, 'session terminated');
  }

  private delayMs(): number {
    const session = this.session;
    if (session.exempt) return 0;
    const active = session.planAt(Date.now());
    const plan = active?.plan;
    if (plan?.messageDelay === undefined) return 0;
    if (plan.matchesPath !== undefined && !plan.matchesPath(this.path)) return 0;
    return plan.messageDelay.sampleDelayMs(active!.states[plan.messageDelayIndex]);
  }

  private enqueue(lane: Lane, data: WebSocket.RawData, isBinary: boolean): void {
    lane.messages++;
    lane.bytes += byteLength(data);
    const delay = this.delayMs();
    if (delay <= 0 && lane.waiting === 0) {
      this.deliver(lane, data, isBinary);
      return;
    }
    this.push(lane, { data, isBinary, closeCode: 0, closeReason: '', dueAt: 0 }, delay);
  }

  private push(lane: Lane, pending: Pending, delay: number): void {
    const now = performance.now();
    pending.dueAt = Math.max(now + delay, lane.lastDueAt);
    lane.lastDueAt = pending.dueAt;
    lane.queue.push(pending);
    if (lane.waiting > MAX_QUEUED) this.pause(lane);
    this.schedule(lane, now);
  }

  private schedule(lane: Lane, now: number): void {
    if (lane.timer !== undefined || lane.waiting === 0) return;
    const wait = lane.queue[lane.head]!.dueAt - now;
    lane.timer = setTimeout(this.drain, wait > 0 ? wait : 0, lane);
  }

  private readonly drain = (lane: Lane): void => {
    lane.timer = undefined;
    const now = performance.now();
    // Timers fire up to ~1 ms early or late; deliver what is due within that.
    while (lane.waiting > 0 && lane.queue[lane.head]!.dueAt <= now + 1) {
      const pending = lane.queue[lane.head++]!;
      if (pending.data === undefined) safeClose(lane.to, pending.closeCode, pending.closeReason);
      else this.deliver(lane, pending.data, pending.isBinary);
    }
    if (lane.waiting === 0) {
      lane.queue.length = 0;
      lane.head = 0;
    }
    this.schedule(lane, now);
  };

  private deliver(lane: Lane, data: WebSocket.RawData, isBinary: boolean): void {
    if (lane.to.readyState !== WebSocket.OPEN) return;
    lane.to.send(data, { binary: isBinary });
    if (lane.to.bufferedAmount > HIGH_WATER) this.pause(lane);
  }

  /** Stops reading from a side until the other has drained (bounded memory). */
  private pause(lane: Lane): void {
    if (lane.paused) return;
    lane.paused = true;
    lane.from.pause();
    this.watermarkTimer ??= setInterval(() => this.resumeDrained(), 50);
  }

  private resumeDrained(): void {
    let stillPaused = false;
    for (const lane of [this.toUpstream, this.toClient]) {
      if (!lane.paused) continue;
      if (lane.to.bufferedAmount < LOW_WATER && lane.waiting < MAX_QUEUED / 2) {
        lane.paused = false;
        lane.from.resume();
      } else stillPaused = true;
    }
    if (!stillPaused) {
      clearInterval(this.watermarkTimer);
      this.watermarkTimer = undefined;
    }
  }

  private sideClosed(lane: Lane, code: number, reason: string): void {
    this.closeCode ||= code;
    this.push(lane, { data: undefined, isBinary: false, closeCode: code, closeReason: reason, dueAt: 0 }, 0);
    if (--this.openSides === 0) this.finish();
  }

  private fail(other: WebSocket, error: ErrorKind): void {
    this.error ||= error;
    other.terminate();
  }

  private dropQueued(lane: Lane): void {
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.queue.length = 0;
    lane.head = 0;
  }

  private finish(): void {
    this.dropQueued(this.toClient);
    this.dropQueued(this.toUpstream);
    if (this.watermarkTimer !== undefined) clearInterval(this.watermarkTimer);
    this.session.webSockets.delete(this);
    this.onFinish({
      messagesIn: this.toUpstream.messages,
      messagesOut: this.toClient.messages,
      bytesIn: this.toUpstream.bytes,
      bytesOut: this.toClient.bytes,
      closeCode: this.closeCode,
      error: this.error,
    });
  }
}

/** Codes a close frame may carry; 1005/1006/1015 are only ever reported, never sent. */
export function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function safeClose(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  if (socket.readyState === WebSocket.CONNECTING) {
    socket.terminate();
    return;
  }
  if (sendableCloseCode(code)) socket.close(code, truncateReason(reason));
  else if (code === 1006) socket.terminate();
  else socket.close();
}

/** A close reason is at most 123 bytes. */
function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  return Buffer.from(reason).subarray(0, 120).toString('utf8');
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
