import type { CommandHandlers } from '../types.js';
import { mode } from './mode.js';
import { notify } from './notify.js';
import { terminate } from './terminate.js';
import { welcome } from './welcome.js';

/** Every server message type the extension acts on, and nothing else. */
export const COMMAND_HANDLERS: CommandHandlers = Object.freeze({ welcome, mode, notify, terminate });
