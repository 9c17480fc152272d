// Keeps one `downspin start` for a whole Playwright run, shared by every worker.
//
//   node keeper.mjs <runnerPid> <runDir> <downspinBin>
//
// Runs detached from the worker that started it (workers come and go during a
// run; a failed test restarts its worker). Starts downspin on free ports with a
// fresh data dir, writes <runDir>/server.json once the banner is printed, and when
// the Playwright runner process is gone (finished, interrupted or killed) stops
// downspin and removes the data dir and <runDir>. On a failed start it writes
// <runDir>/failed.json instead. downspin's output goes to <runDir>/downspin.log.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [runnerPidArg, runDir, bin] = process.argv.slice(2);
const runnerPid = Number(runnerPidArg);
if (!Number.isInteger(runnerPid) || !runDir || !bin) {
  console.error('usage: keeper.mjs <runnerPid> <runDir> <downspinBin>');
  process.exit(2);
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const dataDir = mkdtempSync(path.join(tmpdir(), 'downspin-playwright-data-'));
const log = createWriteStream(path.join(runDir, 'downspin.log'));
log.on('error', () => {});

/** Written to a temp name first, so a reader never sees half a file. */
function writeJson(name, value) {
  const file = path.join(runDir, name);
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

const child = spawn(process.execPath, [bin, 'start', '--port', '0', '--control-port', '0', '--data-dir', dataDir], {
  // A key of our own: the banner prints it, but a fixed one is simpler to hand on.
  env: { ...process.env, LOG_LEVEL: process.env.DOWNSPIN_LOG_LEVEL ?? 'warn', ADMIN_API_KEY: randomBytes(24).toString('base64url') },
  stdio: ['ignore', 'pipe', 'pipe'],
});
child.on('error', (error) => fail(`cannot run ${bin}: ${error.message}`));

let banner = '';
let ready = false;
let stopping = false;
let startTimer;
let watch;

child.stdout.on('data', (chunk) => {
  log.write(chunk);
  if (ready) return;
  banner += chunk.toString();
  const proxy = /proxy +(http:\/\/\S+) +→ +(http:\/\/\S+)/.exec(banner);
  const control = /dashboard +(http:\/\/\S+)/.exec(banner);
  const key = /admin key +(\S+)/.exec(banner);
  if (proxy && control && key) {
    ready = true;
    clearTimeout(startTimer);
    try {
      writeJson('server.json', {
        proxyUrl: proxy[1],
        targetUrl: proxy[2],
        controlUrl: control[1],
        apiKey: key[1],
        keeperPid: process.pid,
        serverPid: child.pid,
      });
    } catch {
      // The run dir is gone (taken for stale by a worker): nobody will use this server.
      void stop(0);
    }
  }
});
child.stderr.on('data', (chunk) => {
  log.write(chunk);
  if (!ready) banner += chunk.toString();
});
child.on('exit', (code, signal) => {
  if (!stopping) fail(`downspin start exited (${signal ?? code}) ${ready ? 'during the run' : 'before it was up'}:\n${banner.slice(-4000)}`);
});

startTimer = setTimeout(() => fail(`downspin start was not up within ${START_TIMEOUT_MS} ms:\n${banner.slice(-4000)}`), START_TIMEOUT_MS);

function fail(message) {
  if (stopping) return;
  try {
    writeJson('failed.json', { error: message });
  } catch {
    // runDir already removed: nobody is waiting.
  }
  void stop(1);
}

function runnerAlive() {
  try {
    process.kill(runnerPid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  clearTimeout(startTimer);
  clearInterval(watch);
  if (child.exitCode === null && child.signalCode === null) {
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await closed;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
  // On failure the workers still need failed.json: leave the run dir to the runner's end.
  if (exitCode === 0) rmSync(runDir, { recursive: true, force: true });
  else await waitForRunnerThenRemoveRunDir();
  process.exit(exitCode);
}

function waitForRunnerThenRemoveRunDir() {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (runnerAlive()) return;
      clearInterval(timer);
      rmSync(runDir, { recursive: true, force: true });
      resolve();
    }, 500);
  });
}

watch = setInterval(() => {
  if (!runnerAlive()) void stop(0);
}, 500);
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
