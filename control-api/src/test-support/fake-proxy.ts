import type { Bus } from '@downspin/bus';
import type { Presence, ShapingCommand } from '@downspin/protocol';

/** Load figures a fake proxy reports in its presence. */
export type PresenceFigures = Partial<Pick<Presence, 'sessions' | 'connections' | 'requestsPerSecond' | 'requestsTotal' | 'webSockets' | 'url' | 'telemetry'>>;

export interface FakeProxy {
  proxyId: string;
  /** Commands received, in order. */
  commands: ShapingCommand[];
  /** Publishes a presence message (alive unless told otherwise), with the figures given at start unless others are given. */
  announce(alive?: boolean, figures?: PresenceFigures): Promise<void>;
  close(): Promise<void>;
}

/**
 * A stand-in proxy for route tests: announces itself on `presence` and
 * acknowledges every command on `acks`, unless `acks: false` (a proxy that
 * is alive but never applies anything).
 */
export async function startFakeProxy(bus: Bus, options: { proxyId: string; acks?: boolean; figures?: PresenceFigures }): Promise<FakeProxy> {
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
  const startedAt = Date.now();
  const announce = (alive = true, figures = options.figures): Promise<void> =>
    bus.publish('presence', {
      type: 'presence',
      proxyId: options.proxyId,
      startedAt,
      at: Date.now(),
      sessions: 0,
      connections: 0,
      requestsPerSecond: 0,
      ...figures,
      alive,
    });
  await announce();
  return { proxyId: options.proxyId, commands, announce, close: unsubscribe };
}
