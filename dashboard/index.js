import { fileURLToPath } from 'node:url';

/** The built dashboard (`vite build` output): serve it with the control API's `dashboardDir`. */
export const dashboardDir = fileURLToPath(new URL('./dist/', import.meta.url));
