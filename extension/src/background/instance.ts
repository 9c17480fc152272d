import { Controller } from './controller.js';

/** The one controller of this service worker, and its start (handlers wait for it). */
export const controller = new Controller();
export const ready = controller.start().catch((error: unknown) => {
  console.error('downspin: the background could not start', error);
  return controller.state.get();
});
