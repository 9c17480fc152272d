import type { CommandContext } from '../commands/types.js';
import type { Controller } from './controller.js';
import { tellPages } from './page-scripts.js';

/** What server commands may do, done by the controller. */
export function commandContext(controller: Controller): CommandContext {
  return {
    welcomed({ sessionHash, mode, shaping }) {
      controller.welcomed();
      controller.applyMode({ mode, shaping, sessionHash });
    },
    modeChanged({ mode, shaping, version }) {
      controller.applyMode({ mode, shaping, version });
    },
    async showToast(toast) {
      await tellPages(controller.settings.proxyOrigins, { downspin: 'toast', ...toast });
    },
    terminated(reason) {
      return controller.terminated(reason);
    },
  };
}
