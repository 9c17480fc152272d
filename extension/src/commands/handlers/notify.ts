import type { CommandHandler } from '../types.js';

/** `notify`: a toast in the user's page. The text is only ever set as text, never as HTML. */
export const notify: CommandHandler<'notify'> = (command, context) =>
  context.showToast({ id: command.id, message: command.message, level: command.level });
