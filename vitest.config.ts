import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import sibling workspaces from source, so no build is needed between edits.
// Exact matches only: a subpath export such as @downspin/bus/contract maps to its own file.
const workspaces = ['testing', 'protocol', 'bus', 'db', 'proxy', 'demo-app', 'control-api', 'bench'];
const source = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const alias = [
  { find: /^@downspin\/bus\/contract$/, replacement: source('./bus/src/contract.ts') },
  ...workspaces.map((name) => ({ find: new RegExp(`^@downspin/${name}$`), replacement: source(`./${name}/src/index.ts`) })),
  { find: /^downspin$/, replacement: source('./cli/src/index.ts') },
];

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
