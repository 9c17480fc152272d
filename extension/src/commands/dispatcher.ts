import { CLIENT_CHANNEL_MAX_PAYLOAD, ServerToClientSchema, type ServerToClientType } from '@downspin/protocol';
import type { Command, CommandContext, CommandHandler, CommandHandlers } from './types.js';

/** What became of one message. */
export type DispatchOutcome = 'handled' | 'malformed' | 'unknown' | 'failed';

export interface DispatcherOptions {
  handlers: CommandHandlers;
  context: CommandContext;
  /** Told about every message, after it was handled or dropped. */
  onOutcome?: (outcome: DispatchOutcome, detail: { type?: string; error?: unknown }) => void;
}

/** Largest server message read; anything longer is dropped unread. */
export const MAX_SERVER_MESSAGE_CHARS = CLIENT_CHANNEL_MAX_PAYLOAD;

/**
 * Runs a server message through the whitelist: text only, JSON, the
 * protocol's `ServerToClientSchema`, then the one handler of its type.
 * Unknown and malformed messages are dropped and reported; a failing handler
 * is reported too. Never throws, never rejects, never evaluates anything.
 *
 * @example
 * const dispatch = createDispatcher({ handlers: COMMAND_HANDLERS, context });
 * socket.onmessage = (event) => void dispatch(event.data);
 */
export function createDispatcher(options: DispatcherOptions): (raw: unknown) => Promise<DispatchOutcome> {
  const { handlers, context, onOutcome } = options;
  const report = (outcome: DispatchOutcome, detail: { type?: string; error?: unknown } = {}): DispatchOutcome => {
    try {
      onOutcome?.(outcome, detail);
    } catch {
      // A counter that fails must not turn a dropped message into a crash.
    }
    return outcome;
  };

  return async function dispatch(raw: unknown): Promise<DispatchOutcome> {
    // Binary frames, huge frames and non-JSON are not commands.
    if (typeof raw !== 'string' || raw.length > MAX_SERVER_MESSAGE_CHARS) return report('malformed');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return report('malformed');
    }
    const parsed = ServerToClientSchema.safeParse(value);
    if (!parsed.success) {
      const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
      return typeof type === 'string' && !isKnownType(handlers, type) ? report('unknown', { type }) : report('malformed', { type: typeof type === 'string' ? type : undefined });
    }
    const command = parsed.data;
    if (!isKnownType(handlers, command.type)) return report('unknown', { type: command.type });
    // The schema and the handler map are keyed by the same union: this pairs them.
    const handler = handlers[command.type] as CommandHandler<ServerToClientType>;
    try {
      await handler(command as Command<ServerToClientType>, context);
      return report('handled', { type: command.type });
    } catch (error) {
      return report('failed', { type: command.type, error });
    }
  };
}

/** Own keys only: `__proto__`, `constructor` and friends are not message types. */
function isKnownType(handlers: CommandHandlers, type: string): type is ServerToClientType {
  return Object.prototype.hasOwnProperty.call(handlers, type);
}
