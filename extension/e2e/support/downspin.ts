import { startDownspin, type RunningDownspin } from '@downspin/testing';

/** A real `downspin start` child process (the demo app behind the proxy, the control API) and a way to call its API. */
export interface Downspin extends RunningDownspin {
  /** Calls the control API with the admin key; resolves to status and JSON body. */
  api<T = unknown>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/**
 * Starts `downspin start --port 0 --control-port 0 --data-dir <tmp>` from
 * the built CLI; a watchdog stops it if the test runner dies first. Fails
 * when it is not up within `timeoutMs`.
 */
export async function startExtensionDownspin(timeoutMs = 30_000): Promise<Downspin> {
  const downspin = await startDownspin({ watchdog: true, timeoutMs });
  return Object.assign(downspin, {
    async api<T>(method: string, pathname: string, body?: unknown) {
      const res = await fetch(`${downspin.controlUrl}${pathname}`, {
        method,
        headers: { 'x-api-key': downspin.adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    },
  });
}
