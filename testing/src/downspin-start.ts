import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnDownspin, type DownspinProcess, type DownspinProcessOptions } from './downspin-process.js';

/** What `downspin start` prints once everything listens (cli/src/banner.ts). */
export interface StartBanner {
  proxyUrl: string;
  /** The app behind the proxy (the bundled demo app without `--target`). */
  targetUrl: string;
  /** The control API, which serves the dashboard at `/`. */
  controlUrl: string;
  adminKey: string;
}

/**
 * Reads the banner of `downspin start`, line by line (log lines around it do
 * not confuse it); undefined until the proxy, dashboard and admin key lines
 * have all been printed in full.
 */
export function parseStartBanner(output: string): StartBanner | undefined {
  const complete = output.slice(0, output.lastIndexOf('\n') + 1);
  const proxy = /^ *proxy +(https?:\/\/\S+) +→ +(\S+)/m.exec(complete);
  const control = /^ *dashboard +(https?:\/\/\S+)/m.exec(complete);
  const key = /^ *admin key +(\S+)/m.exec(complete);
  if (!proxy || !control || !key) return undefined;
  return { proxyUrl: proxy[1]!, targetUrl: proxy[2]!, controlUrl: control[1]!, adminKey: key[1]! };
}

export interface StartDownspinOptions extends DownspinProcessOptions {
  /** More flags for `downspin start`, e.g. `['--target', url]`. */
  args?: readonly string[];
  /** Default: a fresh temp dir, removed by `dispose()`; a dir given here is left in place. */
  dataDir?: string;
  /** Proxy port (default 0: any free one; `restart()` keeps the one it got). */
  port?: number;
  /** Control API port (default 0, kept by `restart()` as well). */
  controlPort?: number;
  /** How long each start may take (default 60 s). */
  timeoutMs?: number;
  /**
   * Stop downspin (and remove a temp data dir) when the owner process is
   * gone, even if it was killed: for runners that may kill their workers.
   */
  watchdog?: boolean | { ownerPid: number };
}

/** A running `downspin start`: the proxy (demo app behind it unless `--target`), control API and dashboard. */
export interface RunningDownspin extends StartBanner {
  readonly dataDir: string;
  /** The current process (a new one after `restart()`). */
  readonly process: DownspinProcess;
  /** Stops it (SIGTERM, or SIGKILL to play a crash); resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops it if it runs, then starts it again on the same ports and data dir; resolves once it is up. */
  restart(): Promise<void>;
  /** Stops it and removes the data dir it made. */
  dispose(): Promise<void>;
}

/**
 * The embedded default unless `env` says otherwise: the runner's own downspin
 * settings must not turn a test's `downspin start` into a scale-out one.
 */
const EMBEDDED_ENV = { ADMIN_API_KEY: '', REDIS_URL: '', DATABASE_URL: '', CLICKHOUSE_URL: '' };

/**
 * Starts the built `downspin start --port 0 --control-port 0 --data-dir <dir>`
 * and reads the URLs and the admin key from its banner.
 *
 * @example
 * const downspin = await startDownspin({ watchdog: true });
 * await fetch(`${downspin.proxyUrl}/api/items`, { headers: { 'x-downspin-session': 's1' } });
 * await downspin.restart(); // same ports, same data dir: shaping is remembered
 * await downspin.dispose();
 */
export async function startDownspin(options: StartDownspinOptions = {}): Promise<RunningDownspin> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'downspin-test-')));
  const watchdog =
    options.watchdog === undefined || options.watchdog === false
      ? undefined
      : { ...(options.watchdog === true ? {} : options.watchdog), remove: ownDir ? [dataDir] : [] };
  const launch = (port: number, controlPort: number) =>
    spawnDownspin(['start', '--port', String(port), '--control-port', String(controlPort), '--data-dir', dataDir, ...(options.args ?? [])], {
      env: { ...EMBEDDED_ENV, ...options.env },
      cwd: options.cwd,
      onOutput: options.onOutput,
      timeoutMs: options.timeoutMs,
      watchdog,
      ready: parseStartBanner,
    });

  let current: { process: DownspinProcess; ready: StartBanner };
  try {
    current = await launch(options.port ?? 0, options.controlPort ?? 0);
  } catch (error) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const ports = { proxy: Number(new URL(current.ready.proxyUrl).port), control: Number(new URL(current.ready.controlUrl).port) };
  return {
    get proxyUrl() {
      return current.ready.proxyUrl;
    },
    get targetUrl() {
      return current.ready.targetUrl;
    },
    get controlUrl() {
      return current.ready.controlUrl;
    },
    get adminKey() {
      return current.ready.adminKey;
    },
    dataDir,
    get process() {
      return current.process;
    },
    stop: (signal) => current.process.stop(signal),
    async restart() {
      await current.process.stop();
      current = await launch(ports.proxy, ports.control);
    },
    async dispose() {
      await current.process.stop();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
