import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { FromChildSchema, type FromChild, type Role, type ToChild } from './messages.js';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 3000;

/** Every process the bench started, so that none outlives it, with what to tidy after it. */
const running = new Map<ChildProcess, () => void>();

/**
 * Tracks a process started elsewhere (nginx, wrk) for the same clean-up.
 * `cleanup` (synchronous: it may run in an exit handler) runs once, when the
 * process exits or when the bench itself exits first.
 */
export function track(child: ChildProcess, cleanup: () => void = () => undefined): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    running.delete(child);
    cleanup();
  };
  running.set(child, once);
  child.once('exit', once);
}

/** What every bench child says first: its URL, or why it could not start. */
type Said = { type: 'ready'; url: string } | { type: 'failed'; message: string } | { type: string };

export interface ForkedChild<Says> {
  readonly url: string;
  /** The child's `ready` message (roles may say more than their URL in it). */
  readonly ready: Says;
  readonly pid: number | undefined;
  /** Sends a message and resolves with the child's next answer. */
  ask(message: object): Promise<Says>;
  stop(): Promise<void>;
}

export interface ForkOptions<Says> {
  /** Names the child in errors. */
  name: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Checks every message the child sends. */
  parse: (raw: unknown) => { success: true; data: Says } | { success: false };
  /** How long to wait for the `ready` message, and for each answer. */
  timeoutMs: number;
}

/**
 * Forks a bench child (tracked, so it never outlives the bench) and resolves
 * once it reports `ready` with its URL; rejects, and stops it, if it reports
 * `failed`, exits, sends a message that does not parse or stays silent.
 */
export async function forkChild<Says extends Said>(script: URL, options: ForkOptions<Says>): Promise<ForkedChild<Says>> {
  const { name, timeoutMs } = options;
  const child = fork(script, options.args ?? [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: options.env });
  track(child);
  child.on('error', () => undefined);
  const waiting: Array<{ resolve: (message: Says) => void; reject: (error: Error) => void }> = [];
  child.on('message', (raw) => {
    const parsed = options.parse(raw);
    const next = waiting.shift();
    if (parsed.success) next?.resolve(parsed.data);
    else next?.reject(new Error(`${name}: bad message`));
  });
  const next = (): Promise<Says> =>
    new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
        const index = waiting.indexOf(entry);
        if (index >= 0) waiting.splice(index, 1);
      };
      const entry = {
        resolve: (message: Says) => (settle(), resolve(message)),
        reject: (error: Error) => (settle(), reject(error)),
      };
      const onExit = (code: number | null): void => entry.reject(new Error(`${name} exited (code ${code}) before answering`));
      const timer = setTimeout(() => entry.reject(new Error(`${name}: no answer within ${timeoutMs} ms`)), timeoutMs);
      waiting.push(entry);
      child.once('exit', onExit);
    });

  try {
    const first = await next();
    if (first.type !== 'ready' || !('url' in first)) {
      throw new Error(`${name} failed to start: ${first.type === 'failed' && 'message' in first ? first.message : first.type}`);
    }
    return {
      url: first.url,
      ready: first,
      pid: child.pid,
      ask(message) {
        const answer = next();
        child.send(message);
        return answer;
      },
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

export interface BenchChild extends ForkedChild<FromChild> {
  readonly role: Role;
  ask(message: ToChild): Promise<FromChild>;
}

/** Forks `child.js <role> [target]` (upstream, downspin or http-proxy-3) and waits for it to be ready. */
export async function startChild(role: Role, target?: string): Promise<BenchChild> {
  const child = await forkChild(new URL('./child.js', import.meta.url), {
    name: role,
    args: target === undefined ? [role] : [role, target],
    parse: (raw) => FromChildSchema.safeParse(raw),
    timeoutMs: START_TIMEOUT_MS,
  });
  return { ...child, role };
}

/** SIGTERM, then SIGKILL if the process is still alive a few seconds later. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Stops every process the bench started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running.keys()].map(stopChild));
}

/**
 * Last resort on exit paths that cannot wait (process.exit, uncaught errors):
 * SIGTERM lets nginx's master take its workers down with it.
 */
export function killAllNow(): void {
  for (const [child, cleanup] of [...running]) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    cleanup();
  }
}

/** Resident memory of a process, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** File descriptors a process has open, from /proc (Linux). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * Raises a process's open-file limit to `wanted` with prlimit(1) where the
 * bench may (root with CAP_SYS_RESOURCE); a container without it keeps its
 * hard limit. Returns the soft limit in force afterwards.
 */
export function raiseFdLimit(pid: number, wanted: number): number {
  spawnSync('prlimit', ['--pid', String(pid), `--nofile=${wanted}:${wanted}`], { stdio: 'ignore' });
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
  if (soft === undefined) throw new Error(`no open-file limit in /proc/${pid}/limits`);
  return Number(soft);
}

/** Linux's clock tick (USER_HZ), what /proc/<pid>/stat counts CPU time in; 100 on every mainstream build. */
const PROC_TICK_MICROS = 10_000;

/**
 * CPU time (user + system, µs) a process other than this one has used, from
 * /proc/<pid>/stat; undefined where there is no /proc or no such process.
 */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * PROC_TICK_MICROS;
  } catch {
    return undefined;
  }
}
