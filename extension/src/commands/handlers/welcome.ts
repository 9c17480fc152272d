import type { CommandHandler } from '../types.js';

/** `welcome`: the hello was accepted; shows the session's hash and mode. */
export const welcome: CommandHandler<'welcome'> = (command, context) =>
  context.welcomed({ sessionHash: command.sessionHash, mode: command.mode, shaping: command.shaping });
