import type { BusChannel } from '@downspin/protocol';
import type { Logger } from 'pino';
import type { BusHandler, BusStats } from './bus.js';
import { decodeBusMessage } from './codec.js';

/** At most one "dropped" log line per this many ms, so a flood of junk cannot flood the log. */
const DROP_LOG_INTERVAL_MS = 1000;

/**
 * The receiving half shared by both buses: handlers by channel, and delivery
 * of wire text to them. A bad message is dropped and counted; a handler that
 * throws (or rejects) is logged and the others still get the message.
 */
export class Subscriptions {
  readonly stats: BusStats = { published: 0, received: 0, dropped: 0, handlerErrors: 0 };
  private readonly handlers = new Map<BusChannel, Set<BusHandler<BusChannel>>>();
  private lastDropLogAt = -Infinity;
  private dropsNotLogged = 0;

  constructor(private readonly logger: Logger) {}

  /** Adds a handler; true when it is the channel's first. */
  add(channel: BusChannel, handler: BusHandler<BusChannel>): boolean {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    return set.size === 1;
  }

  /** Removes a handler; true when the channel has none left. */
  remove(channel: BusChannel, handler: BusHandler<BusChannel>): boolean {
    const set = this.handlers.get(channel);
    if (!set?.delete(handler)) return false;
    if (set.size > 0) return false;
    this.handlers.delete(channel);
    return true;
  }

  /** Channels with at least one handler. */
  channels(): BusChannel[] {
    return [...this.handlers.keys()];
  }

  clear(): void {
    this.handlers.clear();
  }

  /** Decodes wire text received on a channel and hands it to that channel's handlers. */
  receive(channel: BusChannel, raw: string): void {
    const handlers = this.handlers.get(channel);
    if (!handlers) return;
    const decoded = decodeBusMessage(channel, raw);
    if (!decoded.ok) {
      this.dropped(channel, decoded.reason);
      return;
    }
    this.stats.received++;
    // A snapshot, so a handler that (un)subscribes others does not change this delivery.
    for (const handler of [...handlers]) {
      try {
        const result = handler(decoded.message);
        if (result instanceof Promise) result.catch((error: unknown) => this.handlerFailed(channel, error));
      } catch (error) {
        this.handlerFailed(channel, error);
      }
    }
  }

  private dropped(channel: BusChannel, reason: string): void {
    this.stats.dropped++;
    this.dropsNotLogged++;
    const now = performance.now();
    if (now - this.lastDropLogAt < DROP_LOG_INTERVAL_MS) return;
    this.logger.warn({ channel, reason, dropped: this.dropsNotLogged }, 'dropped invalid bus message');
    this.lastDropLogAt = now;
    this.dropsNotLogged = 0;
  }

  private handlerFailed(channel: BusChannel, error: unknown): void {
    this.stats.handlerErrors++;
    this.logger.error({ err: error, channel }, 'bus handler failed');
  }
}
