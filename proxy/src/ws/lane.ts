import type WebSocket from 'ws';
import type { Reservation } from '../pacing/shared-link.js';

export interface Pending {
  data: WebSocket.RawData | undefined;
  bytes: number;
  isBinary: boolean;
  /** Paced through the session's link (the plan in force shaped it). */
  paced: boolean;
  /** A close to pass on, in order after the messages before it. */
  closeCode: number;
  closeReason: string;
  dueAt: number;
}

/** One direction of a relay: messages from `from`, delivered in order to `to`. */
export class Lane {
  readonly queue: Pending[] = [];
  head = 0;
  timer: NodeJS.Timeout | undefined;
  lastDueAt = 0;
  messages = 0;
  bytes = 0;
  /** Bytes received and not yet handed to `to` (waiting for their due time or the link). */
  queuedBytes = 0;
  /** Most bytes held at once, queued plus unsent in `to`'s buffer (tests and the bench read it). */
  peakBytes = 0;
  paused = false;
  /** A message waits for the session's link; reused, as a pacer's is. */
  readonly reservation: Reservation;
  reserving = false;

  constructor(
    readonly from: WebSocket,
    readonly to: WebSocket,
    /** Toward upstream: bytes in, paced by the up link. */
    readonly up: boolean,
    done: () => void,
  ) {
    this.reservation = { bytes: 0, done };
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Bytes this direction holds: queued here plus what `to` has not written yet. */
  get heldBytes(): number {
    return this.queuedBytes + this.to.bufferedAmount;
  }
}

/** Payload bytes of a message as ws hands it over. */
export function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
