import { BusMessageSchemas, type BusChannel, type BusMessage } from '@downspin/protocol';
import type { Bus, BusHandler, DependencyStatus } from './bus.js';

/**
 * In-process bus for the embedded default. Messages are validated and
 * delivered on a later tick, as over Redis, so callers cannot rely on
 * synchronous delivery in one mode and break in the other.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly handlers = new Map<BusChannel, Set<BusHandler<BusChannel>>>();
  private closed = false;

  async publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const copy = BusMessageSchemas[channel].parse(structuredClone(message)) as BusMessage<C>;
    const handlers = this.handlers.get(channel);
    if (!handlers || handlers.size === 0) return;
    setImmediate(() => {
      for (const handler of handlers) handler(copy);
    });
  }

  async subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    const entry = handler as BusHandler<BusChannel>;
    set.add(entry);
    return async () => {
      set.delete(entry);
    };
  }

  onReconnect(): () => void {
    // An in-process bus never loses its connection.
    return () => undefined;
  }

  status(): DependencyStatus {
    return { ok: !this.closed, detail: this.closed ? 'closed' : 'in-process' };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }
}
