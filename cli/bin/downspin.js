#!/usr/bin/env node
// The CLI runs from dist/. In a source checkout right after `npm ci` nothing
// is built yet, and `npx downspin …` would die with ERR_MODULE_NOT_FOUND:
// build once (what `npm start` does) and go on, so every README command works
// right after the install step. An installed package ships dist/ and never
// builds here.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const root = here('../../');

function isSourceCheckout() {
  try {
    return JSON.parse(readFileSync(`${root}package.json`, 'utf8')).name === 'downspin-monorepo';
  } catch {
    return false;
  }
}

// The CLI and the dashboard it serves: `npm run build:app` makes both.
const built = [here('../dist/main.js'), `${root}dashboard/dist/index.html`];
if (!built.every((file) => existsSync(file)) && isSourceCheckout()) {
  process.stderr.write('downspin: first run in this checkout: building it once (npm run build:app, about a minute)…\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Build output goes to stderr: stdout stays the command's own.
  const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: ['ignore', 2, 2] });
  let result = run(npm, ['run', 'build:app', '--silent']);
  // dist/ deleted but its *.tsbuildinfo kept: tsc -b thinks it is up to date.
  if (result.status === 0 && !existsSync(built[0])) result = run(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-b', '--force']);
  if (result.status !== 0 || !existsSync(built[0])) {
    process.stderr.write(`downspin: the build failed (${result.error?.message ?? `exit ${result.status}`}); run \`npm run build:app\` in ${root} to see why\n`);
    process.exit(1);
  }
}

const { main } = await import('../dist/main.js');
await main(process.argv.slice(2));
