import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The dashboard's logic (formatting, live-update reducer, API client errors, connection backoff,
// profile form): plain TypeScript, no DOM. The protocol is imported from source, as in the root config.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@downspin\/protocol$/, replacement: fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) }],
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/**/*.test.ts'],
  },
});
