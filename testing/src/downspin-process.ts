import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { watchProcess, type WatchdogOptions } from './process-watchdog.js';

/**
 * The built CLI (`cli/bin/downspin.js`), run as a user runs it. The path is
 * the same from testing/src and testing/dist; DOWNSPIN_BIN runs another build.
 */
export const DOWNSPIN_BIN = process.env.DOWNSPIN_BIN ?? fileURLToPath(new URL('../../cli/bin/downspin.js', import.meta.url));

/** Throws, in words, when the CLI has not been built (the tests run the built command). */
export function assertDownspinBuilt(): void {
  const main = path.join(path.dirname(DOWNSPIN_BIN), '../dist/main.js');
  if (!existsSync(DOWNSPIN_BIN) || !existsSync(main)) throw new Error(`the downspin CLI is not built (${main}): run \`npm run build\` first`);
}

export interface DownspinProcessOptions {
  /** Set over the inherited environment (which gets LOG_LEVEL=warn unless given here). */
  env?: Record<string, string>;
  cwd?: string;
  /** Every chunk the process prints, as it arrives (e.g. to keep a log file). */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

export interface LongRunningOptions<T> extends DownspinProcessOptions {
  /**
   * Reads what the process printed so far (complete lines only, stdout and
   * stderr together) and returns a value once it is up, else undefined.
   */
  ready: (output: string) => T | undefined;
  /** How long it may take to come up (default 60 s: a first start on a busy machine is slow). */
  timeoutMs?: number;
  /** Kill it (and remove `remove`) when the owner process is gone, however it died; see `watchProcess`. */
  watchdog?: boolean | WatchdogOptions;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running `downspin <command>`. */
export interface DownspinProcess {
  readonly child: ChildProcess;
  readonly args: readonly string[];
  /** What it printed so far, stdout and stderr as they came. */
  output(): string;
  /** Settles when it has exited, however. */
  readonly exited: Promise<ProcessExit>;
  /**
   * Sends `signal` (SIGTERM, or SIGKILL to play a crash), then SIGKILL if it
   * is still running after `forceAfterMs` (10 s); resolves with its exit code
   * (null when a signal ended it). Stopping a stopped process is a no-op.
   */
  stop(signal?: NodeJS.Signals, forceAfterMs?: number): Promise<number | null>;
}

/** Children still running, killed if this process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const completeLines = (text: string): string => text.slice(0, text.lastIndexOf('\n') + 1);

interface Spawned {
  child: ChildProcess;
  output: () => string;
  exited: Promise<ProcessExit>;
  /** Why it could not be run at all (e.g. no such file), once known. */
  spawnError: () => Error | undefined;
}

function spawnCli(args: readonly string[], options: DownspinProcessOptions): Spawned {
  const child = spawn(process.execPath, [DOWNSPIN_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  let output = '';
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      options.onOutput?.(chunk, stream);
    });
  }
  const exited = new Promise<ProcessExit>((resolve) => {
    // 'close' (not 'exit'): the output is complete by then. A spawn failure emits 'error' and then 'close'.
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, output: () => output, exited, spawnError: () => spawnError };
}

/**
 * Starts `downspin <args>` and resolves once `ready` finds what it waits for
 * in the output; rejects with everything the process printed when it exits
 * first or is not up within the timeout (it is killed then).
 *
 * @example
 * const { process: control, ready: url } = await spawnDownspin(['control', '--control-port', '0'], {
 *   env, ready: (out) => /dashboard on (http:\/\/\S+?);/.exec(out)?.[1],
 * });
 * await control.stop();
 */
export function spawnDownspin<T>(args: readonly string[], options: LongRunningOptions<T>): Promise<{ process: DownspinProcess; ready: T }> {
  assertDownspinBuilt();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const { child, output, exited, spawnError } = spawnCli(args, options);
  // From the start: a runner killed while downspin is still coming up leaves nothing either.
  if (options.watchdog && child.pid !== undefined) watchProcess(child.pid, options.watchdog === true ? {} : options.watchdog);
  const proc: DownspinProcess = {
    child,
    args,
    output,
    exited,
    async stop(signal = 'SIGTERM', forceAfterMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
        await exited;
        clearTimeout(force);
      }
      return (await exited).code;
    },
  };
  const what = `downspin ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      outcome();
    };
    const fail = (reason: string) => settle(() => reject(new Error(`${what} ${reason}:\n${output().slice(-4000)}`)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`was not up within ${timeoutMs} ms`);
    }, timeoutMs);
    function check() {
      const found = options.ready(completeLines(output()));
      if (found !== undefined) settle(() => resolve({ process: proc, ready: found }));
    }
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then(({ code, signal }) =>
      fail(spawnError() ? `could not run: ${spawnError()!.message}` : `exited (${signal ?? `code ${code}`}) before it was up`),
    );
  });
}

/** What a one-shot command left behind. */
export interface DownspinRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came. */
  output: string;
}

/**
 * Runs a one-shot `downspin <args>` (`migrate`, `sessions …`, a bad flag) to
 * its end.
 *
 * @example
 * const migrated = await runDownspin(['migrate'], { env: { DATABASE_URL } });
 * if (migrated.code !== 0) throw new Error(migrated.output);
 */
export async function runDownspin(args: readonly string[], options: DownspinProcessOptions = {}): Promise<DownspinRun> {
  assertDownspinBuilt();
  let stdout = '';
  let stderr = '';
  const { output, exited, spawnError } = spawnCli(args, {
    ...options,
    onOutput(chunk, stream) {
      if (stream === 'stdout') stdout += chunk.toString();
      else stderr += chunk.toString();
      options.onOutput?.(chunk, stream);
    },
  });
  const { code } = await exited;
  const error = spawnError();
  const failed = error === undefined ? '' : `could not run ${DOWNSPIN_BIN}: ${error.message}\n`;
  return { code, stdout, stderr: stderr + failed, output: output() + failed };
}
