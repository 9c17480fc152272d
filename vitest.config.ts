import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import sibling workspaces from source, so no build is needed between edits.
const workspaces = ['testing', 'protocol', 'bus', 'db', 'proxy', 'demo-app', 'control-api', 'bench'];
const alias = Object.fromEntries([
  ...workspaces.map((name) => [`@downspin/${name}`, fileURLToPath(new URL(`./${name}/src/index.ts`, import.meta.url))]),
  ['downspin', fileURLToPath(new URL('./cli/src/index.ts', import.meta.url))],
]);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['*/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'dashboard/**', 'extension/**', 'e2e/**'],
    globalSetup: ['./testing/src/global-setup.ts', './testing/src/clickhouse-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Shaping tests measure time: keep parallelism modest on a 2-core machine.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
