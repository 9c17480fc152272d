import type { CommandHandler } from '../types.js';

/** `mode`: the session's shaping changed (upspin, downspin, profile, timeline). */
export const mode: CommandHandler<'mode'> = (command, context) =>
  context.modeChanged({ mode: command.mode, shaping: command.shaping, version: command.version });
