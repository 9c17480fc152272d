import { NotMigratedError } from '../../migrations/migrate.js';

/**
 * What the session store worker and the thread that owns it say to each
 * other. Everything travels by structured clone: method names, arguments and
 * results as they are, functions as callback ids, errors as plain records.
 */

/** A function argument (e.g. `beforeCommit`) stands in the message as this; the worker calls it back. */
export interface CallbackRef {
  __callback: number;
}

/** An error as a plain record: its class by name, its message, and its own fields (`code`, `missing`, …). */
export interface ErrorRecord {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
  /** Set when the error is one a callback threw on the owning thread: that thread rethrows its own object. */
  callbackError?: number;
}

export type ToWorker =
  | { type: 'call'; id: number; method: string; args: unknown[] }
  | { type: 'callback-result'; id: number; ok: true; value: unknown }
  | { type: 'callback-result'; id: number; ok: false; error: ErrorRecord };

export type FromWorker =
  /** The store opened: the methods it has and its plain (primitive) properties, e.g. `kind`. */
  | { type: 'ready'; methods: string[]; properties: Record<string, string | number | boolean> }
  | { type: 'failed'; error: ErrorRecord }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ErrorRecord }
  /** The worker calls function argument `callback` of request `request`; answered by a `callback-result` with the same `id`. */
  | { type: 'callback'; id: number; request: number; callback: number; args: unknown[] };

/** Error classes that keep their class across the thread boundary (callers test `instanceof`). */
const KNOWN_ERRORS: Record<string, { prototype: Error }> = { NotMigratedError };

export function toErrorRecord(error: unknown): ErrorRecord {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    if (value === undefined || typeof value === 'function') continue;
    fields[key] = cloneable(value);
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/** Rebuilds an error with its class (when known), name, message and fields such as PostgreSQL's `code`. */
export function fromErrorRecord(record: ErrorRecord): Error {
  const known = KNOWN_ERRORS[record.name];
  const error: Error = known ? (Object.create(known.prototype) as Error) : new Error(record.message);
  Object.defineProperty(error, 'message', { value: record.message, writable: true, configurable: true });
  if (!known && record.name !== 'Error') Object.defineProperty(error, 'name', { value: record.name, writable: true, configurable: true });
  if (record.stack !== undefined) Object.defineProperty(error, 'stack', { value: record.stack, writable: true, configurable: true });
  Object.assign(error, record.fields);
  return error;
}

/** Plain data passes; anything structured clone would refuse becomes its description. */
function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}

/**
 * Rebuilds `args` with `leaf` applied at every depth of plain objects and
 * arrays; a value `leaf` answers (not undefined) replaces it whole.
 */
function mapArgs(args: unknown[], leaf: (value: unknown) => unknown): unknown[] {
  const walk = (value: unknown): unknown => {
    const replaced = leaf(value);
    if (replaced !== undefined) return replaced;
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) out[key] = walk(inner);
      return out;
    }
    return value;
  };
  return args.map(walk);
}

/**
 * Replaces every function in `args` (at any depth of plain objects and
 * arrays) with a `CallbackRef`, registering it in `callbacks`.
 */
export function encodeCallbacks(args: unknown[], register: (fn: (...a: unknown[]) => unknown) => number): unknown[] {
  return mapArgs(args, (value) =>
    typeof value === 'function' ? ({ __callback: register(value as (...a: unknown[]) => unknown) } satisfies CallbackRef) : undefined,
  );
}

/** The worker's side of `encodeCallbacks`: each `CallbackRef` becomes a function that calls home. */
export function decodeCallbacks(args: unknown[], call: (callback: number, args: unknown[]) => Promise<unknown>): unknown[] {
  return mapArgs(args, (value) => (isCallbackRef(value) ? (...inner: unknown[]) => call(value.__callback, inner) : undefined));
}

function isCallbackRef(value: unknown): value is CallbackRef {
  return value !== null && typeof value === 'object' && typeof (value as CallbackRef).__callback === 'number' && Object.keys(value).length === 1;
}
