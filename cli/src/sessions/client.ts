import { describeZodError, parseErrorBody } from '@downspin/protocol';
import type { z } from 'zod';

/** An error the control API answered with, or a failure to reach it. */
export class ControlApiError extends Error {
  override readonly name = 'ControlApiError';
  constructor(
    /**
     * The catalogue code (`session_not_found`, `unauthorized`, …), `unreachable`, `http_<status>` for
     * an answer that is not the API's, or `bad_response` for a success answer its schema rejects.
     */
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ControlClientOptions {
  /** e.g. http://127.0.0.1:8081 */
  baseUrl: string;
  apiKey: string;
  /** Per request. Default 30 000 ms (a shaping command waits for the proxies' acks). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A small client of the control API: JSON in and out, the admin key on
 * every call, each answer checked against its protocol schema, and every
 * failure as a `ControlApiError` whose `code` and `message` make the one
 * line the CLI prints.
 */
export class ControlClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ControlClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async call<S extends z.ZodType>(method: 'GET' | 'POST' | 'PUT', path: string, body: unknown, answer: S): Promise<z.output<S>> {
    const url = new URL(path, this.options.baseUrl);
    const headers: Record<string, string> = { 'x-api-key': this.options.apiKey, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new ControlApiError('unreachable', `cannot reach the control API at ${this.options.baseUrl}: ${reason(error)}`, 0);
    }
    const text = await res.text();
    if (!res.ok) {
      const error = parseErrorBody(text);
      if (error !== undefined) throw new ControlApiError(error.code, error.message, res.status);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ControlApiError(`http_${res.status}`, `${url.host} answered ${res.status} with something other than JSON: ${text.slice(0, 120)}`, res.status);
    }
    if (!res.ok) throw new ControlApiError(`http_${res.status}`, `${url.host} answered ${res.status} ${res.statusText}`, res.status);
    const checked = answer.safeParse(parsed);
    if (!checked.success) {
      throw new ControlApiError('bad_response', `${url.host} answered ${path} with an unexpected body: ${describeZodError(checked.error)}`, res.status);
    }
    return checked.data;
  }
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
