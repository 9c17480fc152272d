import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertDownspinBuilt } from '@downspin/testing';

/** A running `downspin start` (built CLI, bundled demo app behind the proxy). */
export interface DownspinServer {
  proxyUrl: string;
  /** The app behind the proxy (the bundled demo app), reached directly. */
  targetUrl: string;
  controlUrl: string;
  apiKey: string;
}

const KEEPER = fileURLToPath(new URL('./keeper.mjs', import.meta.url));
const WAIT_MS = 90_000;
/** How long a run dir may lack keeper.pid before it counts as abandoned. */
const CLAIM_GRACE_MS = 5_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The first worker of a run to get here makes the run dir and starts the keeper. */
async function claim(runDir: string): Promise<boolean> {
  try {
    await mkdir(runDir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function startKeeper(runnerPid: number, runDir: string): Promise<void> {
  const keeper = spawn(process.execPath, [KEEPER, String(runnerPid), runDir], { detached: true, stdio: 'ignore' });
  keeper.on('error', () => {}); // a failed spawn shows as a keeper.pid that is not alive
  keeper.unref();
  const file = path.join(runDir, 'keeper.pid');
  await writeFile(`${file}.tmp`, String(keeper.pid ?? 0));
  await rename(`${file}.tmp`, file);
}

type Waited = DownspinServer | 'stale';

async function waitForServer(runDir: string): Promise<Waited> {
  const started = Date.now();
  for (;;) {
    const failed = await readJson<{ error: string }>(path.join(runDir, 'failed.json'));
    if (failed) throw new Error(`downspin for this run failed: ${failed.error}`);
    const server = await readJson<DownspinServer & { keeperPid: number }>(path.join(runDir, 'server.json'));
    if (server) return alive(server.keeperPid) ? server : 'stale';
    const keeperPid = await readJson<number>(path.join(runDir, 'keeper.pid'));
    if (keeperPid !== undefined && !alive(keeperPid)) return 'stale';
    if (keeperPid === undefined && !existsSync(runDir)) return 'stale';
    const waited = Date.now() - started;
    if (keeperPid === undefined && waited > CLAIM_GRACE_MS) return 'stale';
    if (waited > WAIT_MS) throw new Error(`downspin for this run was not up within ${WAIT_MS} ms (see ${runDir}/downspin.log)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The run's directory (exists once `sharedDownspin()` resolved); removed when the run ends. */
export function runDirectory(): string {
  return path.join(tmpdir(), `downspin-playwright-run-${process.ppid}`);
}

/**
 * One `downspin start` for the whole Playwright run, shared by all workers
 * (so tests running in parallel really share one proxy, as users' do). The
 * run is identified by the runner's pid (every worker's parent); a detached
 * keeper process stops downspin and removes its data dir once the runner has
 * exited, however it exited.
 */
export async function sharedDownspin(): Promise<DownspinServer> {
  assertDownspinBuilt();
  const runnerPid = process.ppid;
  const runDir = runDirectory();
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await claim(runDir)) await startKeeper(runnerPid, runDir);
    const waited = await waitForServer(runDir);
    if (waited !== 'stale') return { proxyUrl: waited.proxyUrl, targetUrl: waited.targetUrl, controlUrl: waited.controlUrl, apiKey: waited.apiKey };
    // Left by an earlier run whose runner had the same pid, or by a keeper that died.
    await rm(runDir, { recursive: true, force: true });
  }
  throw new Error(`cannot start downspin for this run (run dir ${runDir})`);
}
