import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(REPO, 'cli/bin/downspin.js');
const START_TIMEOUT_MS = 30_000;

/** A real `downspin start` child process: the demo app behind the proxy, the control API. */
export interface Downspin {
  proxyUrl: string;
  controlUrl: string;
  adminKey: string;
  dataDir: string;
  /** Calls the control API with the admin key; resolves to status and JSON body. */
  api<T = unknown>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same ports and data dir; resolves when the new one is up. */
  restart(): Promise<void>;
  /** Stops it and removes its data dir. */
  dispose(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  proxyUrl: string;
  controlUrl: string;
  adminKey: string;
}

/** Starts the built CLI and reads the URLs and the admin key from its banner (as cli/src/cli.test.ts does). */
function launch(dataDir: string, ports: { proxy: number; control: number }): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', String(ports.proxy), '--control-port', String(ports.control), '--data-dir', dataDir], {
      env: { ...process.env, LOG_LEVEL: 'warn', ADMIN_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`downspin start did not come up in ${START_TIMEOUT_MS} ms: ${stdout} ${stderr}`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const proxy = /proxy +(http:\/\/\S+)/.exec(stdout);
      const control = /dashboard +(http:\/\/\S+)/.exec(stdout);
      const key = /admin key +(\S+)/.exec(stdout);
      if (proxy && control && key) {
        clearTimeout(timer);
        resolve({ child, proxyUrl: proxy[1]!, controlUrl: control[1]!, adminKey: key[1]! });
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`downspin start exited ${code}: ${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts `downspin start --port 0 --control-port 0 --data-dir <tmp>` from
 * the built CLI. The process is killed if the test runner exits first.
 */
export async function startDownspin(): Promise<Downspin> {
  if (!existsSync(path.join(REPO, 'cli/dist/main.js'))) throw new Error('the downspin CLI is not built: run `npm run build` first');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-extension-e2e-'));
  let running = await launch(dataDir, { proxy: 0, control: 0 });
  const ports = { proxy: Number(new URL(running.proxyUrl).port), control: Number(new URL(running.controlUrl).port) };
  const killOnExit = (): void => {
    running.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const downspin: Downspin = {
    proxyUrl: running.proxyUrl,
    controlUrl: running.controlUrl,
    adminKey: running.adminKey,
    dataDir,
    async api<T>(method: string, pathname: string, body?: unknown) {
      const res = await fetch(`${downspin.controlUrl}${pathname}`, {
        method,
        headers: { 'x-api-key': downspin.adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    },
    stop: () => exited(running.child),
    async restart() {
      await exited(running.child);
      running = await launch(dataDir, ports);
    },
    async dispose() {
      await exited(running.child);
      process.off('exit', killOnExit);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return downspin;
}
