import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The built CLI, run as a user runs it. DOWNSPIN_BIN points at another build
 * (e.g. a copy of the CLI with the dashboard wired in, before cli/ does it).
 */
export const DOWNSPIN_BIN = process.env.DOWNSPIN_BIN ?? `${REPO}cli/bin/downspin.js`;

export interface CliProcess {
  child: ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (or SIGKILL, to play a crash) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `downspin <args>` and resolves once its output matches `ready`
 * (with the match), or rejects with what it printed when it exits first or
 * takes longer than `timeoutMs`.
 */
export function startCli(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<{ process: CliProcess; match: RegExpExecArray }> {
  if (!existsSync(DOWNSPIN_BIN) || !existsSync(`${REPO}cli/dist/main.js`)) {
    throw new Error('the downspin CLI is not built: run `npm run build` first');
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DOWNSPIN_BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let settled = false;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const proc: CliProcess = {
      child,
      output: () => out,
      async stop(signal = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill(signal);
        return exited;
      },
    };
    const timer = setTimeout(() => {
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`downspin ${args[0]} was not ready within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ process: proc, match });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`downspin ${args[0]} exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** Runs `downspin <args>` to its end. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DOWNSPIN_BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('close', (code) => resolve({ code, output }));
  });
}
