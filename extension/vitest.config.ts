import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The extension's unit tests (logic with the browser APIs faked) and the check of the built manifests.
// The protocol is imported from source, as in the root config.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@downspin\/protocol$/, replacement: fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) }],
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    testTimeout: 30_000,
  },
});
