import { randomUUID } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import type { ProfileInput, SessionShaping, ShapingState } from '@downspin/protocol';
import { ProfileSchema, ShapingStateSchema } from '@downspin/protocol';
import { startTestUpstream, type TestUpstream } from '@downspin/testing';
import { startProxy, type RunningProxy } from './server.js';
import type { ProxyOptions } from './options.js';
import { MemoryTelemetrySink } from './telemetry/sink.js';

/**
 * A proxy in front of a recording upstream, shaped the way the control API
 * does it: a versioned ShapingCommand on the bus, then wait for the ack.
 */
export interface ProxyHarness {
  proxy: RunningProxy;
  upstream: TestUpstream;
  bus: MemoryBus;
  telemetry: MemoryTelemetrySink;
  /** Applies a shaping state to a session and resolves once the proxy acked it. */
  shape(sessionId: string, state: ShapingState): Promise<SessionShaping>;
  /** Shortcut: a profile for a session. */
  profile(sessionId: string, profile: ProfileInput): Promise<SessionShaping>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<ProxyOptions> = {}): Promise<ProxyHarness> {
  const upstream = await startTestUpstream();
  const bus = new MemoryBus();
  const telemetry = new MemoryTelemetrySink();
  const stored = new Map<string, SessionShaping>();
  const proxy = await startProxy({
    target: upstream.url,
    port: 0,
    bus,
    telemetry,
    loadShaping: async () => [...stored.values()],
    reportIntervalMs: 200,
    ...options,
  });

  async function shape(sessionId: string, state: ShapingState): Promise<SessionShaping> {
    const shaping: SessionShaping = {
      sessionId,
      version: (stored.get(sessionId)?.version ?? 0) + 1,
      state: ShapingStateSchema.parse(state),
      updatedAt: Date.now(),
    };
    stored.set(sessionId, shaping);
    const commandId = randomUUID();
    let resolveAck: () => void = () => undefined;
    const acked = new Promise<void>((resolve) => (resolveAck = resolve));
    const unsubscribe = await bus.subscribe('acks', (ack) => {
      if (ack.commandId === commandId) resolveAck();
    });
    await bus.publish('commands', { type: 'shaping', commandId, shaping });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no ack within 2 s')), 2000).unref());
    await Promise.race([acked, timeout]).finally(() => void unsubscribe());
    return shaping;
  }

  return {
    proxy,
    upstream,
    bus,
    telemetry,
    shape,
    profile: (sessionId, profile) => shape(sessionId, { mode: 'profile', profile: ProfileSchema.parse(profile) }),
    async close() {
      await proxy.close();
      await upstream.stop();
      await bus.close();
    },
  };
}
