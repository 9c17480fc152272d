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
 * turns `health()` bad instead of leaving callers hanging.
 *
 * @example const store = await createPgliteWorkerStore({ dataDir: './.downspin/sessions' });
 */
export async function createPgliteWorkerStore(options: PgliteWorkerStoreOptions = {}): Promise<SessionStore> {
  const { maxInFlight = 1024, healthTimeoutMs = 3000, ...storeOptions } = options;
  await initDataDir(storeOptions.dataDir, storeOptions.migrate);
  const worker = new Worker(builtFile('store-worker.js'), { workerData: { options: storeOptions } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: string | undefined;
  let closing = false;

  const fail = (reason: string): void => {
    gone ??= reason;
    for (const entry of pending.values()) entry.reject(new StoreWorkerError(`session store unavailable: ${reason}`));
    pending.clear();
  };

  const ready = new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
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
          return void runCallback(message);
      }
    });
    worker.on('error', (error) => {
      fail(`worker crashed: ${error.message}`);
      reject(error);
    });
    worker.on('exit', (code) => {
      fail(closing ? 'closed' : `worker exited with code ${code}`);
      reject(new StoreWorkerError(`session store worker exited with code ${code} while opening`));
    });
  });

  async function runCallback(message: Extract<FromWorker, { type: 'callback' }>): Promise<void> {
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
    if (gone === undefined) worker.postMessage(reply);
  }

  function call(method: string, args: unknown[]): Promise<unknown> {
    if (gone !== undefined) return Promise.reject(new StoreWorkerError(`session store unavailable: ${gone}`));
    if (pending.size >= maxInFlight) {
      return Promise.reject(new StoreBusyError(`session store busy: ${maxInFlight} calls already waiting`));
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, callbacks: [], thrown: new Map() };
      const encoded = encodeCallbacks(args, (fn) => entry.callbacks.push(fn) - 1);
      pending.set(id, entry);
      try {
        worker.postMessage({ type: 'call', id, method, args: encoded } satisfies ToWorker);
      } catch (error) {
        pending.delete(id);
        reject(error);
      }
    });
  }

  let opened: Extract<FromWorker, { type: 'ready' }>;
  try {
    opened = await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  const store: Record<string, unknown> = { ...opened.properties };
  for (const method of opened.methods) store[method] = (...args: unknown[]) => call(method, args);

  store.health = async (): Promise<StoreHealth> => {
    if (gone !== undefined) return { ok: false, detail: `session store ${gone === 'closed' ? 'closed' : `worker gone: ${gone}`}` };
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
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (gone === undefined) {
      try {
        await call('close', []);
      } finally {
        // The worker ends by itself once closed; a stuck one is ended here.
        const timer = setTimeout(() => void worker.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }
    }
    gone ??= 'closed';
  };

  workers.set(store as unknown as SessionStore, worker);
  return store as unknown as SessionStore;
}
