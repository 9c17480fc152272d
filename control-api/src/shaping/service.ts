import { randomUUID } from 'node:crypto';
import type { Bus } from '@downspin/bus';
import type { SessionStore } from '@downspin/db';
import {
  explainShaping,
  type ApplyResult,
  type NotifyBody,
  type ServerToClient,
  type SessionShaping,
  type SessionView,
  type ShapingState,
} from '@downspin/protocol';
import type { Logger } from 'pino';
import { ApiError } from '../errors.js';
import type { ProxyRegistry } from '../proxies/registry.js';
import { toSessionView } from '../sessions/view.js';
import { fromStore } from '../store-errors.js';
import type { AckCollector } from './acks.js';

export interface ShapingServiceOptions {
  store: SessionStore;
  bus: Bus;
  proxies: ProxyRegistry;
  acks: AckCollector;
  /** How long to wait for live proxies' acks. */
  ackTimeoutMs: number;
  logger: Logger;
  /** Told how each command ended and how long its acks took (metrics). */
  onApplied?: (kind: string, outcome: 'acknowledged' | 'pending' | 'failed', waitSeconds: number | undefined) => void;
  /** Told of each notification sent. */
  onNotified?: (type: string) => void;
}

export interface ShapingOutcome {
  session: SessionView;
  applied: ApplyResult;
}

/** A publish failure inside the store transaction, told apart from the store's own. */
class PublishFailed extends Error {}

/**
 * Applies a shaping change the way the architecture describes: store the
 * new version and its history row, publish the `ShapingCommand` inside that
 * transaction (a failed publish keeps nothing), then wait for every live
 * proxy's ack or `ackTimeoutMs`, whichever comes first.
 */
export class ShapingService {
  constructor(private readonly options: ShapingServiceOptions) {}

  async apply(sessionId: string, state: ShapingState, command: { kind: string; body: unknown }): Promise<ShapingOutcome> {
    const { store, bus, proxies, acks, ackTimeoutMs, onApplied } = this.options;
    try {
      this.requireBus();
    } catch (error) {
      onApplied?.(command.kind, 'failed', undefined);
      throw error;
    }
    const commandId = randomUUID();
    const live = proxies.liveIds();
    let wait: ReturnType<AckCollector['expect']> | undefined;
    let shaping: SessionShaping;
    let publishedAt = 0;
    try {
      shaping = await store.applyShaping(
        { sessionId, state, command },
        {
          beforeCommit: async (next) => {
            // Waiting starts before publishing: an ack may come back before publish resolves.
            wait = acks.expect(commandId, live, ackTimeoutMs);
            publishedAt = performance.now();
            try {
              await bus.publish('commands', { type: 'shaping', commandId, shaping: next });
            } catch (error) {
              throw new PublishFailed('publish failed', { cause: error });
            }
          },
        },
      );
    } catch (error) {
      wait?.cancel();
      onApplied?.(command.kind, 'failed', undefined);
      if (error instanceof PublishFailed) throw new ApiError('bus_unavailable', { cause: error.cause });
      throw new ApiError('store_unavailable', { cause: error });
    }
    const outcome = await wait!.outcome;
    onApplied?.(command.kind, outcome.acknowledged ? 'acknowledged' : 'pending', (performance.now() - publishedAt) / 1000);
    this.tellClient(sessionId, clientMessage(shaping));
    const record = await fromStore(() => store.getSession(sessionId));
    if (!record) throw new ApiError('internal', { message: 'The session vanished after it was shaped.' });
    return { session: toSessionView(record), applied: { version: shaping.version, ...outcome } };
  }

  /** Sends a toast to the session's page through the client channel. */
  async notify(sessionId: string, body: NotifyBody): Promise<{ id: string }> {
    this.requireBus();
    const id = randomUUID();
    const message: ServerToClient = { type: 'notify', id, message: body.message, level: body.type };
    try {
      await this.options.bus.publish('client', { type: 'client', sessionId, message });
    } catch (error) {
      throw new ApiError('bus_unavailable', { cause: error });
    }
    this.options.onNotified?.(body.type);
    return { id };
  }

  /** Refuses before touching the store, so a known-dead bus changes nothing. */
  private requireBus(): void {
    const status = this.options.bus.status();
    if (!status.ok) throw new ApiError('bus_unavailable', { details: { bus: status.detail } });
  }

  /** The extension shows the mode on its badge; best effort, the change itself is done. */
  private tellClient(sessionId: string, message: ServerToClient): void {
    this.options.bus
      .publish('client', { type: 'client', sessionId, message })
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not tell the client about a shaping change'));
  }
}

function clientMessage(shaping: SessionShaping): ServerToClient {
  const { state, version } = shaping;
  if (state.mode === 'terminated') return { type: 'terminate', reason: state.reason };
  return { type: 'mode', mode: state.mode, shaping: explainShaping(state).slice(0, 512), version };
}
