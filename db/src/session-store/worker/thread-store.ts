import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { PgliteStoreOptions } from '../factories.js';
import type { SessionStore, StoreHealth } from '../store.js';
import { encodeCallbacks, fromErrorRecord, toErrorRecord, type FromWorker, type ToWorker } from './messages.js';

export interface PgliteWorkerStoreOptions extends PgliteStoreOptions {
  /** Calls waiting for the worker at once; further calls are refused (`StoreBusyError`). Default 1024. */
  maxInFlight?: number;
  /** How long `health()` waits for the worker before calling it unhealthy. Default 3000 ms. */
  healthTimeoutMs?: number;
  /** First wait before a dead worker is started again (doubling to 30 s while it fails). Default 1000 ms. */
  restartDelayMs?: number;
}

/** A call refused because `maxInFlight` calls are already waiting for the worker. */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
  readonly code = 'store_busy';
}

/** A call that cannot be answered: the worker crashed or exited, or the store is closed. */
export class StoreWorkerError extends Error {
  override readonly name = 'StoreWorkerError';
  readonly code = 'store_worker_gone';
}

// Tests get at the thread to crash it; nothing else does.
const workers = new WeakMap<SessionStore, Worker>();
/** The worker thread behind a store made by `createPgliteWorkerStore` (for tests that crash it). */
export const workerOf = (store: SessionStore): Worker | undefined => workers.get(store);

/**
 * V8 grows a thread's young generation to 32 MiB under a burst of store calls
 * (1,000 sessions shaped) and, unlike the main thread's, a worker's is never
 * shrunk again: 31 MiB of RSS kept for good after the first busy minute. Capped
 * at 8 MiB, 5,000 shapings, 20 activity batches of 1,000 sessions and 200 session
 * lists took the same time (within 4 %, run to run) and the worker's RSS stays
 * down. PGlite's own memory is WebAssembly memory, outside the V8 heap.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 } as const;

/**
 * The built worker script. Run from source (vitest), this module still
 * starts the built file: a worker thread cannot load TypeScript.
 */
function builtFile(name: string): URL {
  const sibling = new URL(`./${name}`, import.meta.url);
  if (existsSync(sibling)) return sibling;
  return new URL(`../../../dist/session-store/worker/${name}`, import.meta.url);
}

/**
 * A new data directory is created and migrated by a child process first
 * (see init-data-dir.ts): the long-lived worker then opens an existing one.
 */
async function initDataDir(dataDir: string | undefined, migrate: boolean | undefined): Promise<void> {
  if (dataDir === undefined || migrate === false || existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  await promisify(execFile)(process.execPath, [fileURLToPath(builtFile('init-data-dir.js')), dataDir], { timeout: 300_000 });
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  callbacks: ((...args: unknown[]) => unknown)[];
  /** Errors its callbacks threw, by callback call id: rethrown as the same objects. */
  thrown: Map<number, unknown>;
}

/**
 * The embedded store (PGlite) in a worker thread, behind `SessionStore`.
 * PGlite's statements are synchronous WebAssembly (tens of ms for a batch of
 * activity); in the proxy's thread they stall every shaped request behind
 * them. Each interface method is forwarded by name (the worker lists the
 * store's methods), arguments and results by structured clone, function
 * arguments (`beforeCommit`) as calls back into this thread, errors with
 * their class and fields. A worker that dies rejects every waiting call and
 * turns `health()` bad instead of leaving callers hanging, and is started
 * again (a store with a data directory; see scheduleRestart).
 *
 * @example const store = await createPgliteWorkerStore({ dataDir: './.downspin/sessions' });
 */
export async function createPgliteWorkerStore(options: PgliteWorkerStoreOptions = {}): Promise<SessionStore> {
  const { maxInFlight = 1024, healthTimeoutMs = 3000, restartDelayMs = 1000, ...storeOptions } = options;
  await initDataDir(storeOptions.dataDir, storeOptions.migrate);
  const store: Record<string, unknown> = {};
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: string | undefined;
  let closing = false;
  let worker: Worker | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let nextDelayMs = restartDelayMs;

  const fail = (reason: string): void => {
    gone ??= reason;
    for (const entry of pending.values()) entry.reject(new StoreWorkerError(`session store unavailable: ${reason}`));
    pending.clear();
  };

  /** Starts a worker and resolves once its store is open; a worker replaced since is ignored. */
  function open(): Promise<Extract<FromWorker, { type: 'ready' }>> {
    const w = new Worker(builtFile('store-worker.js'), { workerData: { options: storeOptions }, resourceLimits: WORKER_LIMITS });
    worker = w;
    workers.set(store as unknown as SessionStore, w);
    let ready = false;
    return new Promise((resolve, reject) => {
      w.on('message', (message: FromWorker) => {
        if (w !== worker) return;
        switch (message.type) {
          case 'ready':
            ready = true;
            return resolve(message);
          case 'failed':
            return reject(fromErrorRecord(message.error));
          case 'result': {
            const entry = pending.get(message.id);
            if (!entry) return;
            pending.delete(message.id);
            if (message.ok) return entry.resolve(message.value);
            const own = message.error.callbackError === undefined ? undefined : entry.thrown.get(message.error.callbackError);
            return entry.reject(own ?? fromErrorRecord(message.error));
          }
          case 'callback':
            return void runCallback(w, message);
        }
      });
      w.on('error', (error) => {
        if (w !== worker) return;
        fail(`worker crashed: ${error.message}`);
        reject(error);
      });
      w.on('exit', (code) => {
        if (w !== worker) return;
        fail(closing ? 'closed' : `worker exited with code ${code}`);
        reject(new StoreWorkerError(`session store worker exited with code ${code} while opening`));
        if (ready && !closing) scheduleRestart();
      });
    });
  }

  /**
   * A worker that died (a WebAssembly abort, out of memory) is started again
   * on the same data directory, which PostgreSQL recovers from its WAL: the
   * embedded deployment heals instead of refusing every shaping call until a
   * human restarts it. Calls meanwhile fail at once. Retries back off from
   * `restartDelayMs` to 30 s. An in-memory store is not restarted: a new one
   * would be empty, and a store that silently forgot every session is worse
   * than one that says it is gone.
   */
  function scheduleRestart(): void {
    if (storeOptions.dataDir === undefined || restartTimer !== undefined || closing) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (closing) return;
      open().then(
        () => {
          gone = undefined;
          nextDelayMs = restartDelayMs;
        },
        () => {
          void worker?.terminate();
          nextDelayMs = Math.min(nextDelayMs * 2, 30_000);
          scheduleRestart();
        },
      );
    }, nextDelayMs);
    restartTimer.unref();
  }

  async function runCallback(from: Worker, message: Extract<FromWorker, { type: 'callback' }>): Promise<void> {
    const entry = pending.get(message.request);
    let reply: ToWorker;
    try {
      const fn = entry?.callbacks[message.callback];
      if (!fn) throw new Error('the call this callback belongs to is over');
      reply = { type: 'callback-result', id: message.id, ok: true, value: await fn(...message.args) };
    } catch (error) {
      entry?.thrown.set(message.id, error);
      reply = { type: 'callback-result', id: message.id, ok: false, error: toErrorRecord(error) };
    }
    if (gone === undefined && from === worker) from.postMessage(reply);
  }

  function call(method: string, args: unknown[]): Promise<unknown> {
    if (gone !== undefined || worker === undefined) return Promise.reject(new StoreWorkerError(`session store unavailable: ${gone}`));
    if (pending.size >= maxInFlight) {
      return Promise.reject(new StoreBusyError(`session store busy: ${maxInFlight} calls already waiting`));
    }
    const id = nextId++;
    const target = worker;
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, callbacks: [], thrown: new Map() };
      const encoded = encodeCallbacks(args, (fn) => entry.callbacks.push(fn) - 1);
      pending.set(id, entry);
      try {
        target.postMessage({ type: 'call', id, method, args: encoded } satisfies ToWorker);
      } catch (error) {
        pending.delete(id);
        reject(error);
      }
    });
  }

  let opened: Extract<FromWorker, { type: 'ready' }>;
  try {
    opened = await open();
  } catch (error) {
    await worker?.terminate();
    throw error;
  }

  Object.assign(store, opened.properties);
  for (const method of opened.methods) store[method] = (...args: unknown[]) => call(method, args);

  store.health = async (): Promise<StoreHealth> => {
    if (gone !== undefined) {
      if (gone === 'closed') return { ok: false, detail: 'session store closed' };
      const next = restartTimer === undefined ? '' : '; restarting';
      return { ok: false, detail: `session store worker gone: ${gone}${next}` };
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<StoreHealth>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, detail: `session store worker: no answer within ${healthTimeoutMs} ms` }), healthTimeoutMs);
    });
    try {
      return await Promise.race([call('health', []) as Promise<StoreHealth>, timeout]);
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  };

  store.close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    clearTimeout(restartTimer);
    restartTimer = undefined;
    const current = worker!;
    const exited = new Promise<void>((resolve) => {
      if (current.threadId === -1) resolve();
      else current.once('exit', () => resolve());
    });
    if (gone === undefined) {
      try {
        await call('close', []);
      } finally {
        // The worker ends by itself once closed; a stuck one is ended here.
        const timer = setTimeout(() => void current.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }
    }
    gone ??= 'closed';
  };

  return store as unknown as SessionStore;
}
