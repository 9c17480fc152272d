import type { Bus } from '@downspin/bus';
import type { ShapingCommand } from '@downspin/protocol';

export interface FakeProxy {
  proxyId: string;
  /** Commands received, in order. */
  commands: ShapingCommand[];
  /** Publishes a presence message (alive unless told otherwise). */
  announce(alive?: boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * A stand-in proxy for route tests: announces itself on `presence` and
 * acknowledges every command on `acks`, unless `acks: false` (a proxy that
 * is alive but never applies anything).
 */
export async function startFakeProxy(bus: Bus, options: { proxyId: string; acks?: boolean }): Promise<FakeProxy> {
  const commands: ShapingCommand[] = [];
  const unsubscribe = await bus.subscribe('commands', async (command) => {
    commands.push(command);
    if (options.acks === false) return;
    await bus.publish('acks', {
      type: 'ack',
      commandId: command.commandId,
      proxyId: options.proxyId,
      sessionId: command.shaping.sessionId,
      version: command.shaping.version,
    });
  });
  const announce = (alive = true): Promise<void> =>
    bus.publish('presence', {
      type: 'presence',
      proxyId: options.proxyId,
      startedAt: Date.now(),
      at: Date.now(),
      sessions: 0,
      connections: 0,
      requestsPerSecond: 0,
      alive,
    });
  await announce();
  return { proxyId: options.proxyId, commands, announce, close: unsubscribe };
}
