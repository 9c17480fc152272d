import type { BusChannel, BusMessage } from '@downspin/protocol';

/** A subscriber. It may be async; a throw or rejection is logged, never passed on. */
export type BusHandler<C extends BusChannel> = (message: BusMessage<C>) => void | Promise<void>;

export interface DependencyStatus {
  ok: boolean;
  /** Words for /health, e.g. "connected" or "reconnecting: ECONNREFUSED". */
  detail: string;
}

/** Counters since the bus was made, for /admin/stats and /metrics. */
export interface BusStats {
  /** Messages this bus published. */
  published: number;
  /** Valid messages received (each counted once, however many handlers). */
  received: number;
  /** Received messages that were not valid JSON or not valid for their channel. */
  dropped: number;
  /** Handler calls that threw or rejected. */
  handlerErrors: number;
}

/**
 * The command bus between the control API and proxies. Delivery is
 * at-most-once (as Redis pub/sub is): senders version their messages and
 * receivers resync from the store when `onReconnect` fires.
 *
 * Every message is validated with the protocol's `BusMessageSchemas` when
 * published (an invalid one rejects with `InvalidBusMessageError`) and again
 * when received (an invalid one is dropped, counted and logged).
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  /** Rejects with `BusUnavailableError` when the bus cannot take the message now. */
  publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void>;
  /** Subscribe; the returned function unsubscribes. */
  subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => Promise<void>>;
  /** Called after the connection came back from a loss (never on the first connect). */
  onReconnect(listener: () => void): () => void;
  status(): DependencyStatus;
  stats(): BusStats;
  close(): Promise<void>;
}
