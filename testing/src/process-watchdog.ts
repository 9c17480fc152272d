import { spawn } from 'node:child_process';

export interface WatchdogOptions {
  /** The process whose end ends the watched one (default: this process). */
  ownerPid?: number;
  /** Files or folders to remove once the watched process was stopped that way (e.g. its data dir). */
  remove?: readonly string[];
}

/**
 * The watchdog, run as `node -e`, so it works from source and from dist
 * alike: every 500 ms it checks the owner. Gone (finished, crashed or
 * SIGKILLed: no exit hook runs then) → SIGTERM to the target, SIGKILL after
 * 10 s, remove the paths, exit. It exits at once when the target ends first.
 */
const WATCHDOG = `
const fs = require('node:fs');
const [owner, target] = process.argv.slice(1, 3).map(Number);
const paths = process.argv.slice(3);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (error) { return error.code === 'EPERM'; } };
const signal = (name) => { try { process.kill(target, name); } catch {} };
const poll = setInterval(() => {
  if (!alive(target)) process.exit(0);
  if (alive(owner)) return;
  clearInterval(poll);
  signal('SIGTERM');
  const deadline = Date.now() + 10000;
  const wait = setInterval(() => {
    if (alive(target) && Date.now() < deadline) return;
    clearInterval(wait);
    signal('SIGKILL');
    for (const p of paths) { try { fs.rmSync(p, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 100);
}, 500);
`;

/**
 * Ties process `pid` to its owner: a detached watchdog stops it and removes
 * `remove` once the owner is gone, even when the owner was killed outright
 * (a test runner hitting its timeout, Ctrl-C twice), so no server or data
 * dir outlives the run. Costs one small idle process while `pid` runs.
 *
 * @example
 * const child = spawn(process.execPath, ['server.js']);
 * watchProcess(child.pid!, { remove: [dataDir] });
 */
export function watchProcess(pid: number, options: WatchdogOptions = {}): void {
  const args = ['-e', WATCHDOG, String(options.ownerPid ?? process.pid), String(pid), ...(options.remove ?? [])];
  const watchdog = spawn(process.execPath, args, { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => {}); // without a watchdog the process is only not cleaned up after a crash
  watchdog.unref();
}
