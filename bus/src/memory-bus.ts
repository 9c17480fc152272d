import type { BusChannel, BusMessage } from '@downspin/protocol';
import pino, { type Logger } from 'pino';
import type { Bus, BusHandler, BusStats, DependencyStatus } from './bus.js';
import { encodeBusMessage } from './codec.js';
import { BusUnavailableError } from './errors.js';
import { Subscriptions } from './subscriptions.js';

/**
 * What MemoryBus handles share, like processes sharing one Redis. Each bus
 * gets its own hub unless one is passed in.
 */
export class MemoryBusHub {
  private readonly members = new Set<Subscriptions>();

  /** @internal */
  join(member: Subscriptions): void {
    this.members.add(member);
  }

  /** @internal */
  leave(member: Subscriptions): void {
    this.members.delete(member);
  }

  /**
   * Puts wire text on a channel for every member, on a later tick (one tick
   * per message, so order is kept). Buses use it after validating; tests use
   * it to play a hostile or outdated peer.
   */
  publishRaw(channel: BusChannel, raw: string): void {
    setImmediate(() => {
      for (const member of this.members) member.receive(channel, raw);
    });
  }
}

export interface MemoryBusOptions {
  /** Share a hub to let several buses (the "processes" of one test) hear each other. */
  hub?: MemoryBusHub;
  logger?: Logger;
}

/**
 * In-process bus for the embedded default. Messages travel as JSON text and
 * are delivered on a later tick, as over Redis, so callers cannot rely on
 * synchronous delivery or shared objects in one mode and break in the other.
 *
 * @example
 * const hub = new MemoryBusHub();
 * const control = new MemoryBus({ hub });
 * const proxy = new MemoryBus({ hub });
 * await proxy.subscribe('commands', (command) => apply(command.shaping));
 * await control.publish('commands', command);
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly hub: MemoryBusHub;
  private readonly subscriptions: Subscriptions;
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.hub = options.hub ?? new MemoryBusHub();
    this.subscriptions = new Subscriptions(options.logger ?? pino({ level: 'silent' }));
    this.hub.join(this.subscriptions);
  }

  async publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void> {
    if (this.closed) throw new BusUnavailableError('bus is closed');
    this.hub.publishRaw(channel, encodeBusMessage(channel, message));
    this.subscriptions.stats.published++;
  }

  async subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => Promise<void>> {
    if (this.closed) throw new BusUnavailableError('bus is closed');
    const entry = handler as BusHandler<BusChannel>;
    this.subscriptions.add(channel, entry);
    return async () => {
      this.subscriptions.remove(channel, entry);
    };
  }

  onReconnect(): () => void {
    // An in-process bus never loses its connection.
    return () => undefined;
  }

  status(): DependencyStatus {
    return { ok: !this.closed, detail: this.closed ? 'closed' : 'in-process' };
  }

  stats(): BusStats {
    return { ...this.subscriptions.stats };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.leave(this.subscriptions);
    this.subscriptions.clear();
  }
}
