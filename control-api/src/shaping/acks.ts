import type { Bus } from '@downspin/bus';
import type { Ack } from '@downspin/protocol';

export interface AckOutcome {
  acknowledged: boolean;
  appliedBy: string[];
  pending: string[];
}

interface Waiter {
  expected: Set<string>;
  appliedBy: string[];
  done: (outcome: AckOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * Collects `acks` per command id. `expect` is registered before the command
 * is published, so an ack arriving quickly is never missed.
 */
export class AckCollector {
  private readonly waiters = new Map<string, Waiter>();

  subscribe(bus: Bus): Promise<() => Promise<void>> {
    return bus.subscribe('acks', (ack) => this.observe(ack));
  }

  observe(ack: Ack): void {
    const waiter = this.waiters.get(ack.commandId);
    if (!waiter || !waiter.expected.has(ack.proxyId)) return;
    waiter.expected.delete(ack.proxyId);
    waiter.appliedBy.push(ack.proxyId);
    if (waiter.expected.size === 0) this.finish(ack.commandId);
  }

  /** A proxy left: stop waiting for it everywhere (it is not counted as pending). */
  forget(proxyId: string): void {
    for (const [commandId, waiter] of this.waiters) {
      if (waiter.expected.delete(proxyId) && waiter.expected.size === 0) this.finish(commandId);
    }
  }

  /**
   * Waits until every proxy in `proxyIds` acked `commandId`, or `timeoutMs`
   * passed; call `cancel` if the command was never published.
   */
  expect(commandId: string, proxyIds: readonly string[], timeoutMs: number): { outcome: Promise<AckOutcome>; cancel: () => void } {
    if (proxyIds.length === 0) {
      return { outcome: Promise.resolve({ acknowledged: true, appliedBy: [], pending: [] }), cancel: () => undefined };
    }
    const outcome = new Promise<AckOutcome>((resolve) => {
      // Timers run before pending socket reads: after an event-loop stall, acks already
      // received would lose to the timeout. setImmediate lets this turn's reads in first.
      const timer = setTimeout(() => setImmediate(() => this.finish(commandId)), timeoutMs);
      this.waiters.set(commandId, { expected: new Set(proxyIds), appliedBy: [], done: resolve, timer });
    });
    return { outcome, cancel: () => this.finish(commandId) };
  }

  private finish(commandId: string): void {
    const waiter = this.waiters.get(commandId);
    if (!waiter) return;
    this.waiters.delete(commandId);
    clearTimeout(waiter.timer);
    const pending = [...waiter.expected].sort();
    waiter.done({ acknowledged: pending.length === 0, appliedBy: waiter.appliedBy.sort(), pending });
  }

  /** Answers every open wait as it stands (on shutdown). */
  close(): void {
    for (const commandId of [...this.waiters.keys()]) this.finish(commandId);
  }
}
