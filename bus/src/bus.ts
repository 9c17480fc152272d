import type { BusChannel, BusMessage } from '@downspin/protocol';

export type BusHandler<C extends BusChannel> = (message: BusMessage<C>) => void;

export interface DependencyStatus {
  ok: boolean;
  /** Words for /health, e.g. "connected" or "reconnecting: ECONNREFUSED". */
  detail: string;
}

/**
 * The command bus between the control API and proxies. Delivery is
 * at-most-once (as Redis pub/sub is): senders version their messages and
 * receivers resync from the store when `onReconnect` fires.
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void>;
  /** Subscribe; the returned function unsubscribes. */
  subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => Promise<void>>;
  /** Called after the connection came back from a loss (never on the first connect). */
  onReconnect(listener: () => void): () => void;
  status(): DependencyStatus;
  close(): Promise<void>;
}
