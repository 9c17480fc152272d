import { WS_CLOSE_TERMINATED, type ErrorKind, type FaultKind } from '@downspin/protocol';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { Verdict } from '../effects/index.js';
import type { AbuseGuardOptions, WebSocketLimits } from '../options.js';
import type { SharedLink } from '../pacing/shared-link.js';
import type { Closable, SessionRuntime } from '../session/runtime.js';
import type { GateDecision } from '../shaping/gates.js';
import { decideMessage, messageDecision } from '../shaping/messages.js';
import { safeClose } from './close.js';
import { byteLength, Lane, type Pending } from './lane.js';

/** Messages a lane may hold however small they are (each costs an object). */
const MAX_QUEUED_MESSAGES = 10_000;
/**
 * Bytes a paused socket may still hand over: the read already in ws's
 * receiver (libuv reads at most 64 KiB at a time), with room to spare.
 */
export const READ_MARGIN_BYTES = 256 * 1024;
const RESUME_CHECK_MS = 50;

export interface RelayResult {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  closeCode: number;
  error: ErrorKind;
  /** A fault that ended the connection (reset, timeout), if any. */
  fault: FaultKind;
  /** Message bytes already added to the session's activity: read from the client, written to it. */
  recordedIn: number;
  recordedOut: number;
}

export interface RelayOptions {
  /** The handshake's Host header and path, which the profile's routes match. */
  host: string;
  path: string;
  guard: AbuseGuardOptions;
  logger: Logger;
  limits: WebSocketLimits;
  /** Longest a timeout fault stalls the connection before it is dropped. */
  maxHoldMs: number;
}

/**
 * Relays a proxied WebSocket between the client and upstream. Each message
 * is decided by the session's shaping (shaping/messages.ts, the gates that
 * decide requests): it waits half the drawn latency (latency is a round
 * trip), crosses the session's shared link when the plan limits bandwidth,
 * and a fault drops or stalls the connection. A shaping change re-decides
 * the open connection at once (offline drops it). A message is never
 * delivered before one sent earlier in the same direction, and closes travel
 * behind the messages. Held bytes are bounded per direction and per session:
 * at the bound the sender is paused, so TCP pushes back on it.
 */
export class WsRelay implements Closable {
  private readonly toUpstream: Lane;
  private readonly toClient: Lane;
  private readonly decision: GateDecision;
  /** Pause a direction once it holds this much: a paused socket may still hand over one message and one read. */
  private readonly pauseAtBytes: number;
  private readonly pauseSessionAtBytes: number;
  private closeCode = 0;
  private recordedIn = 0;
  private recordedOut = 0;
  private error: ErrorKind = '';
  private fault: FaultKind = '';
  private openSides = 2;
  private finished = false;
  /** A timeout fault: nothing moves until the hold ends the connection. */
  private holdTimer: NodeJS.Timeout | undefined;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: WebSocket,
    private readonly upstream: WebSocket,
    private readonly session: SessionRuntime,
    private readonly options: RelayOptions,
    private readonly onFinish: (result: RelayResult) => void,
  ) {
    const { limits } = options;
    this.pauseAtBytes = limits.maxQueuedBytes - limits.maxMessageBytes - READ_MARGIN_BYTES;
    this.pauseSessionAtBytes = Math.max(0, limits.maxSessionQueuedBytes - limits.maxMessageBytes - READ_MARGIN_BYTES);
    this.decision = messageDecision(session);
    this.toUpstream = new Lane(client, upstream, true, () => this.crossed(this.toUpstream));
    this.toClient = new Lane(upstream, client, false, () => this.crossed(this.toClient));
    client.on('message', (data, isBinary) => this.enqueue(this.toUpstream, data, isBinary));
    upstream.on('message', (data, isBinary) => this.enqueue(this.toClient, data, isBinary));
    client.on('close', (code, reason) => this.sideClosed(this.toUpstream, code, reason.toString()));
    upstream.on('close', (code, reason) => this.sideClosed(this.toClient, code, reason.toString()));
    client.on('error', () => this.fail(upstream, 'client_aborted'));
    upstream.on('error', () => this.fail(client, 'upstream_reset'));
    session.addWebSocket(this);
    // A session already at its bound: a new socket does not start reading either.
    if (session.webSocketQueuedBytes >= this.pauseSessionAtBytes) {
      this.pause(this.toUpstream);
      this.pause(this.toClient);
    }
  }

  /** Bytes held toward upstream and toward the client, the most held at once in either, and whether a sender is paused. */
  get held(): { toUpstream: number; toClient: number; peak: number; paused: boolean } {
    return {
      toUpstream: this.toUpstream.heldBytes,
      toClient: this.toClient.heldBytes,
      peak: Math.max(this.toUpstream.peakBytes, this.toClient.peakBytes),
      paused: this.toUpstream.paused || this.toClient.paused,
    };
  }

  /** Closes both sides now (terminate): the client gets `code`. */
  close(code: number, reason: string): void {
    this.dropQueued(this.toClient);
    this.dropQueued(this.toUpstream);
    this.closeCode ||= code;
    safeClose(this.client, code, reason);
    safeClose(this.upstream, 1001, reason);
  }

  /** The session's shaping changed: the open connection is decided again, as a message would be. */
  shapingChanged(): void {
    if (this.finished) return;
    const decision = this.decision;
    decideMessage(decision, this.session, this.options.host, this.options.path, this.options.guard, this.options.logger);
    if (!this.act(decision) || this.holdTimer !== undefined) return;
    // Less latency now: what waits under the old one is due no later than a message sent now would be.
    const dueBy = decision.now + decision.delayMs;
    for (const lane of [this.toUpstream, this.toClient]) {
      if (lane.waiting === 0 || lane.queue[lane.queue.length - 1]!.dueAt <= dueBy) continue;
      for (let i = lane.head; i < lane.queue.length; i++) if (lane.queue[i]!.dueAt > dueBy) lane.queue[i]!.dueAt = dueBy;
      lane.lastDueAt = dueBy;
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      this.schedule(lane, decision.now);
    }
  }

  /** Applies a decision's refusal to the whole connection; returns true when the connection goes on. */
  private act(decision: GateDecision): boolean {
    switch (decision.verdict) {
      case Verdict.Forward:
        return true;
      case Verdict.Reset:
        this.drop('reset');
        return false;
      case Verdict.Hold:
        this.stall();
        return this.holdTimer !== undefined;
      case Verdict.Respond:
        if (decision.fault === 'terminated') this.close(WS_CLOSE_TERMINATED, 'session terminated');
        else if (decision.fault === 'banned') this.close(1008, 'session banned');
        else this.close(1011, `downspin: ${decision.fault}`);
        return false;
    }
  }

  /** Drops the connection as a dead network does: no close frame, the TCP sockets are destroyed. */
  private drop(fault: FaultKind): void {
    this.fault ||= fault;
    this.closeCode ||= 1006;
    this.dropQueued(this.toClient);
    this.dropQueued(this.toUpstream);
    this.client.terminate();
    this.upstream.terminate();
  }

  /** A timeout fault: nothing is delivered and nothing read; dropped after maxHoldMs. */
  private stall(): void {
    if (this.holdTimer !== undefined) return;
    this.fault ||= 'timeout';
    for (const lane of [this.toUpstream, this.toClient]) {
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      lane.from.pause();
    }
    this.holdTimer = setTimeout(() => this.drop('timeout'), this.options.maxHoldMs);
  }

  private enqueue(lane: Lane, data: WebSocket.RawData, isBinary: boolean): void {
    if (this.finished) return;
    const bytes = byteLength(data);
    lane.messages++;
    lane.bytes += bytes;
    // Counted as they move, so the session's activity shows a long-lived socket's traffic live.
    if (lane.up) {
      this.recordedIn += bytes;
      this.session.recordBytes(bytes, 0);
    }
    const decision = this.decision;
    decideMessage(decision, this.session, this.options.host, this.options.path, this.options.guard, this.options.logger);
    if (decision.verdict !== Verdict.Forward && !this.act(decision)) return;
    const paced = decision.plan !== undefined && this.linkOf(lane) !== undefined;
    const delay = decision.delayMs;
    if (delay <= 0 && !paced && lane.waiting === 0 && this.holdTimer === undefined) {
      this.deliver(lane, data, isBinary, bytes);
      return;
    }
    this.push(lane, { data, bytes, isBinary, paced, closeCode: 0, closeReason: '', dueAt: 0 }, delay);
  }

  private linkOf(lane: Lane): SharedLink | undefined {
    return lane.up ? this.session.linkUp() : this.session.linkDown();
  }

  private push(lane: Lane, pending: Pending, delay: number): void {
    const now = performance.now();
    pending.dueAt = Math.max(now + delay, lane.lastDueAt);
    lane.lastDueAt = pending.dueAt;
    lane.queue.push(pending);
    lane.queuedBytes += pending.bytes;
    this.session.webSocketQueuedBytes += pending.bytes;
    const held = lane.heldBytes;
    if (held > lane.peakBytes) lane.peakBytes = held;
    if (
      held >= this.pauseAtBytes ||
      this.session.webSocketQueuedBytes >= this.pauseSessionAtBytes ||
      lane.waiting > MAX_QUEUED_MESSAGES
    ) {
      this.pause(lane);
    }
    this.schedule(lane, now);
  }

  private schedule(lane: Lane, now: number): void {
    if (lane.timer !== undefined || lane.reserving || lane.waiting === 0 || this.holdTimer !== undefined) return;
    const wait = lane.queue[lane.head]!.dueAt - now;
    lane.timer = setTimeout(this.drain, wait > 0 ? wait : 0, lane);
  }

  private readonly drain = (lane: Lane): void => {
    lane.timer = undefined;
    if (this.holdTimer !== undefined || lane.reserving) return;
    const now = performance.now();
    // Timers fire up to ~1 ms early or late; deliver what is due within that.
    while (lane.waiting > 0 && lane.queue[lane.head]!.dueAt <= now + 1) {
      const pending = lane.queue[lane.head]!;
      if (pending.data === undefined) {
        lane.head++;
        safeClose(lane.to, pending.closeCode, pending.closeReason);
        continue;
      }
      const link = pending.paced ? this.linkOf(lane) : undefined;
      if (link !== undefined) {
        // Crosses the session's link first, sharing its budget with HTTP bodies; `crossed` goes on.
        lane.reserving = true;
        lane.reservation.bytes = pending.bytes;
        link.reserve(lane.reservation);
        return;
      }
      lane.head++;
      const data = pending.data;
      this.dequeued(lane, pending);
      this.deliver(lane, data, pending.isBinary, pending.bytes);
    }
    this.compact(lane);
    this.schedule(lane, now);
  };

  /** The head message has crossed the session's link. */
  private crossed(lane: Lane): void {
    if (!lane.reserving) return;
    lane.reserving = false;
    // Stalled by a timeout fault meanwhile: the message stays queued until the hold drops the connection.
    if (this.holdTimer !== undefined) return;
    const pending = lane.queue[lane.head++]!;
    const data = pending.data!;
    this.dequeued(lane, pending);
    this.deliver(lane, data, pending.isBinary, pending.bytes);
    this.drain(lane);
  }

  private dequeued(lane: Lane, pending: Pending): void {
    lane.queuedBytes -= pending.bytes;
    this.session.webSocketQueuedBytes -= pending.bytes;
    pending.data = undefined;
  }

  private compact(lane: Lane): void {
    if (lane.waiting === 0) {
      lane.queue.length = 0;
      lane.head = 0;
    } else if (lane.head > 256 && lane.head * 2 > lane.queue.length) {
      lane.queue.splice(0, lane.head);
      lane.head = 0;
    }
  }

  private deliver(lane: Lane, data: WebSocket.RawData, isBinary: boolean, bytes: number): void {
    if (lane.to.readyState !== WebSocket.OPEN) return;
    lane.to.send(data, { binary: isBinary });
    if (!lane.up) {
      this.recordedOut += bytes;
      this.session.recordBytes(0, bytes);
    }
    const held = lane.heldBytes;
    if (held > lane.peakBytes) lane.peakBytes = held;
    if (held >= this.pauseAtBytes) this.pause(lane);
  }

  /** Stops reading from a side until its direction has drained (bounded memory). */
  private pause(lane: Lane): void {
    if (lane.paused) return;
    lane.paused = true;
    lane.from.pause();
    this.resumeTimer ??= setInterval(this.resumeDrained, RESUME_CHECK_MS);
  }

  private readonly resumeDrained = (): void => {
    let stillPaused = false;
    const sessionLow = this.session.webSocketQueuedBytes < this.pauseSessionAtBytes / 2;
    for (const lane of [this.toUpstream, this.toClient]) {
      if (!lane.paused) continue;
      if (sessionLow && lane.heldBytes < this.pauseAtBytes / 2 && lane.waiting < MAX_QUEUED_MESSAGES / 2) {
        lane.paused = false;
        if (this.holdTimer === undefined) lane.from.resume();
      } else stillPaused = true;
    }
    if (!stillPaused) {
      clearInterval(this.resumeTimer);
      this.resumeTimer = undefined;
    }
  };

  private sideClosed(lane: Lane, code: number, reason: string): void {
    this.closeCode ||= code;
    // A stalled connection passes nothing on: the side still open is dropped too.
    if (this.holdTimer !== undefined) this.drop('timeout');
    else this.push(lane, { data: undefined, bytes: 0, isBinary: false, paced: false, closeCode: code, closeReason: reason, dueAt: 0 }, 0);
    if (--this.openSides === 0) this.finish();
  }

  private fail(other: WebSocket, error: ErrorKind): void {
    this.error ||= error;
    other.terminate();
  }

  private dropQueued(lane: Lane): void {
    if (lane.timer !== undefined) clearTimeout(lane.timer);
    lane.timer = undefined;
    // A reservation still on the link gives its time back; `crossed` then finds nothing to do.
    lane.reservation.bytes = 0;
    lane.reserving = false;
    for (let i = lane.head; i < lane.queue.length; i++) this.dequeued(lane, lane.queue[i]!);
    lane.queue.length = 0;
    lane.head = 0;
  }

  private finish(): void {
    this.finished = true;
    this.dropQueued(this.toClient);
    this.dropQueued(this.toUpstream);
    if (this.resumeTimer !== undefined) clearInterval(this.resumeTimer);
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.session.removeWebSocket(this);
    this.onFinish({
      messagesIn: this.toUpstream.messages,
      messagesOut: this.toClient.messages,
      bytesIn: this.toUpstream.bytes,
      bytesOut: this.toClient.bytes,
      closeCode: this.closeCode,
      error: this.error,
      fault: this.fault,
      recordedIn: this.recordedIn,
      recordedOut: this.recordedOut,
    });
  }
}
