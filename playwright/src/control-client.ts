import { parseErrorBody } from '@downspin/protocol';
import type { z } from 'zod';
import { DownspinApiError, DownspinConnectionError } from './errors.js';

export interface ControlClientOptions {
  controlUrl: URL;
  apiKey: string;
  requestTimeoutMs: number;
}

/**
 * The few control API calls the fixture makes: JSON in, JSON out, checked
 * with the protocol's schemas. Error answers become `DownspinApiError`
 * (`code: message`); anything that is not an answer of the API becomes
 * `DownspinConnectionError` naming the URL.
 */
export class ControlClient {
  constructor(private readonly options: ControlClientOptions) {}

  /** `undefined` when the API answers 404 `session_not_found` (a session nobody has seen yet). */
  async getOptional<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S> | undefined> {
    try {
      return await this.call('GET', path, undefined, schema);
    } catch (error) {
      if (error instanceof DownspinApiError && error.code === 'session_not_found') return undefined;
      throw error;
    }
  }

  async call<S extends z.ZodType>(method: 'GET' | 'POST' | 'PUT', path: string, body: unknown, schema: S): Promise<z.output<S>> {
    const url = new URL(path, this.options.controlUrl);
    const what = `${method} ${url.href}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          'x-api-key': this.options.apiKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${this.options.requestTimeoutMs} ms` : describeFetchError(error);
      const code = error instanceof Error && error.cause instanceof Error ? (error.cause as NodeJS.ErrnoException).code : undefined;
      const neverSent = code !== undefined && NOT_CONNECTED.has(code);
      throw new DownspinConnectionError(`downspin: cannot reach the control API (${what}): ${reason}`, !neverSent, { cause: error });
    }
    const text = await res.text();
    if (!res.ok) {
      const error = parseErrorBody(text);
      if (error !== undefined) throw new DownspinApiError(error.code, error.message, res.status, error.details);
      throw new DownspinConnectionError(
        `downspin: ${what} answered ${res.status} without an API error body; is ${this.options.controlUrl.origin} the downspin control API?`,
        true,
      );
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new DownspinConnectionError(
        `downspin: ${what} answered ${res.status} with a body this fixture does not understand (${parsed.error.issues[0]?.message ?? 'invalid'}); ` +
          'do the versions of @downspin/playwright and downspin match?',
        true,
      );
    }
    return parsed.data;
  }
}

/** Socket errors of a connection that was never made: the request did not leave. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** fetch hides the socket error in `cause` ("fetch failed" says nothing). */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
