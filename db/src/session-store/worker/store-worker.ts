import { parentPort, workerData } from 'node:worker_threads';
import { createPgliteStore, type PgliteStoreOptions } from '../factories.js';
import type { SessionStore } from '../store.js';
import { decodeCallbacks, fromErrorRecord, toErrorRecord, type ErrorRecord, type FromWorker, type ToWorker } from './messages.js';

/**
 * The session store worker: opens the embedded store (PGlite) in this thread,
 * so its synchronous WebAssembly never blocks the proxy's event loop, and
 * runs each method the owning thread names with the arguments it sends.
 */

const port = parentPort!;
const send = (message: FromWorker): void => port.postMessage(message);

/** Errors that came from a callback on the owning thread, by the id of that call. */
const callbackErrors = new WeakMap<object, number>();
const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCallbackCall = 1;

function callHome(request: number, callback: number, args: unknown[]): Promise<unknown> {
  const id = nextCallbackCall++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    send({ type: 'callback', id, request, callback, args });
  });
}

function errorRecord(error: unknown): ErrorRecord {
  const record = toErrorRecord(error);
  const fromCallback = error !== null && typeof error === 'object' ? callbackErrors.get(error) : undefined;
  if (fromCallback !== undefined) record.callbackError = fromCallback;
  return record;
}

/** Method names of the store (its class and the classes it extends), so new methods need no code here. */
function methodsOf(store: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(store); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && typeof (store as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}

function propertiesOf(store: object): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(store)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

async function main(): Promise<void> {
  let store: SessionStore;
  try {
    store = await createPgliteStore((workerData as { options: PgliteStoreOptions }).options);
  } catch (error) {
    send({ type: 'failed', error: toErrorRecord(error) });
    return;
  }
  const methods = methodsOf(store);
  const callable = new Set(methods);

  port.on('message', (message: ToWorker) => {
    if (message.type === 'callback-result') {
      const entry = waiting.get(message.id);
      waiting.delete(message.id);
      if (!entry) return;
      if (message.ok) return entry.resolve(message.value);
      const error = fromErrorRecord(message.error);
      callbackErrors.set(error, message.id);
      return entry.reject(error);
    }
    const { id, method, args } = message;
    void (async () => {
      try {
        if (!callable.has(method)) throw new TypeError(`the session store has no method ${method}`);
        const decoded = decodeCallbacks(args, (callback, inner) => callHome(id, callback, inner));
        const fn = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
        const value = await fn.apply(store, decoded);
        send({ type: 'result', id, ok: true, value });
      } catch (error) {
        send({ type: 'result', id, ok: false, error: errorRecord(error) });
      }
      // Once closed, nothing more will come: let the thread end.
      if (method === 'close') port.close();
    })();
  });
  send({ type: 'ready', methods, properties: propertiesOf(store) });
}

void main();
