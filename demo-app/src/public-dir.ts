import { fileURLToPath } from 'node:url';

/**
 * The shipped `public/` folder. This module sits directly in `src/` (run by
 * vitest) and `dist/` (built), both beside `public/`, so one relative URL
 * serves both.
 */
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
