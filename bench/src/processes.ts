import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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

export interface BenchChild {
  readonly role: Role;
  readonly url: string;
  readonly pid: number | undefined;
  /** Sends a message and resolves with the next answer that is not `ready`. */
  ask(message: ToChild): Promise<FromChild>;
}

/**
 * Forks `child.js <role> [target]` and resolves once it reports `ready` with
 * its URL. Rejects if it fails or exits first.
 */
export async function startChild(role: Role, target?: string): Promise<BenchChild> {
  const script = new URL('./child.js', import.meta.url);
  const child = fork(script, target === undefined ? [role] : [role, target], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  track(child);
  const answers: ((message: FromChild) => void)[] = [];
  child.on('message', (raw) => {
    const parsed = FromChildSchema.safeParse(raw);
    if (parsed.success) answers.shift()?.(parsed.data);
  });
  child.on('error', () => undefined);

  const next = (timeoutMs: number): Promise<FromChild> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role}: no answer within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`${role} exited (code ${code}) before answering`));
      };
      child.once('exit', onExit);
      answers.push((message) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(message);
      });
    });

  const first = await next(START_TIMEOUT_MS);
  if (first.type !== 'ready') throw new Error(`${role} failed to start: ${first.type === 'failed' ? first.message : first.type}`);
  return {
    role,
    url: first.url,
    pid: child.pid,
    async ask(message) {
      const answer = next(START_TIMEOUT_MS);
      child.send(message);
      return answer;
    },
  };
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
