import type { Mode, NotifyType, ServerToClient, ServerToClientType } from '@downspin/protocol';

/** One server message of type T, as the protocol's schema outputs it. */
export type Command<T extends ServerToClientType> = Extract<ServerToClient, { type: T }>;

/**
 * What command handlers may do: the only effects a server message can have.
 * The background implements it; tests fake it.
 */
export interface CommandContext {
  /** The hello was accepted: the session's hash and current shaping. */
  welcomed(info: { sessionHash: string; mode: Mode; shaping: string }): void | Promise<void>;
  /** The shaping changed; versions only grow, older ones are ignored. */
  modeChanged(info: { mode: Mode; shaping: string; version: number }): void | Promise<void>;
  /** Shows a toast (text only) in the user's proxied pages. */
  showToast(toast: { id: string; message: string; level: NotifyType }): void | Promise<void>;
  /** The session was ended by an operator: tell the user, stop the channel. */
  terminated(reason: string): void | Promise<void>;
}

/** Handles one message type. One file per type in `handlers/`. */
export type CommandHandler<T extends ServerToClientType> = (command: Command<T>, context: CommandContext) => void | Promise<void>;

/** The whitelist: exactly one handler per protocol message type. */
export type CommandHandlers = { readonly [T in ServerToClientType]: CommandHandler<T> };
