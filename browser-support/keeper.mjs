// Keeps one `downspin start` for a whole Playwright run, shared by every worker.
//
//   node keeper.mjs <runnerPid> <runDir>
//
// Runs detached from the worker that started it (workers come and go during a
// run; a failed test restarts its worker). Starts downspin (startDownspin of
// @downspin/testing: free ports, a fresh data dir), writes <runDir>/server.json
// once it is up, and when the Playwright runner process is gone (finished,
// interrupted or killed) stops downspin and removes the data dir and <runDir>.
// On a failed start it writes <runDir>/failed.json instead. downspin's output
// goes to <runDir>/downspin.log.
import { randomBytes } from 'node:crypto';
import { createWriteStream, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDownspin } from '@downspin/testing';

const [runnerPidArg, runDir] = process.argv.slice(2);
const runnerPid = Number(runnerPidArg);
if (!Number.isInteger(runnerPid) || !runDir) {
  console.error('usage: keeper.mjs <runnerPid> <runDir>');
  process.exit(2);
}

const START_TIMEOUT_MS = 60_000;
const log = createWriteStream(path.join(runDir, 'downspin.log'));
log.on('error', () => {});

/** Written to a temp name first, so a reader never sees half a file. */
function writeJson(name, value) {
  const file = path.join(runDir, name);
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

function runnerAlive() {
  try {
    process.kill(runnerPid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

let downspin;
let stopping = false;

function fail(message) {
  if (stopping) return;
  try {
    writeJson('failed.json', { error: message });
  } catch {
    // runDir already removed: nobody is waiting.
  }
  void stop(1);
}

async function stop(exitCode) {
  if (stopping) return;
  stopping = true;
  clearInterval(watch);
  await downspin?.dispose();
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

const watch = setInterval(() => {
  if (!runnerAlive()) void stop(0);
}, 500);
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

try {
  downspin = await startDownspin({
    // A key of our own: the banner prints it, but a fixed one is simpler to hand on.
    env: { LOG_LEVEL: process.env.DOWNSPIN_LOG_LEVEL ?? 'warn', ADMIN_API_KEY: randomBytes(24).toString('base64url') },
    timeoutMs: START_TIMEOUT_MS,
    onOutput: (chunk) => log.write(chunk),
    // Should this keeper itself be killed, downspin still goes with the runner.
    watchdog: { ownerPid: runnerPid },
  });
} catch (error) {
  fail(error.message);
}

// (When the runner ended while downspin was coming up, stop() has already exited.)
if (downspin !== undefined && !stopping) {
  const { process: server } = downspin;
  void server.exited.then(({ code, signal }) => {
    fail(`downspin start exited (${signal ?? code}) during the run:\n${server.output().slice(-4000)}`);
  });
  try {
    writeJson('server.json', {
      proxyUrl: downspin.proxyUrl,
      targetUrl: downspin.targetUrl,
      controlUrl: downspin.controlUrl,
      apiKey: downspin.adminKey,
      keeperPid: process.pid,
      serverPid: server.child.pid,
    });
  } catch {
    // The run dir is gone (taken for stale by a worker): nobody will use this server.
    void stop(0);
  }
}
