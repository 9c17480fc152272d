import type { CommandHandler } from '../types.js';

/** `terminate`: the session was ended; the user is told plainly and the channel stops. */
export const terminate: CommandHandler<'terminate'> = (command, context) => context.terminated(command.reason);
