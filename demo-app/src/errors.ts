import type { ServerResponse } from 'node:http';
import type { z } from 'zod';

/**
 * Every error the demo app answers with, by code. The demo app stands in for
 * "the app under test", so its catalogue is its own, but it uses the same
 * `{ "error": { "code", "message" } }` shape as downspin.
 */
export const DEMO_ERRORS = {
  not_found: { status: 404, message: 'Nothing here.' },
  item_not_found: { status: 404, message: 'No item with that id.' },
  method_not_allowed: { status: 405, message: 'That method is not allowed on this path.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, message: 'The request body does not match the schema.' },
  invalid_query: { status: 400, message: 'The query string does not match the schema.' },
  invalid_size: { status: 400, message: 'A size is bytes or a number with kb or mb (binary units), at most 64 MiB.' },
  invalid_status: { status: 400, message: 'A status code is an integer from 200 to 599.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  internal: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type DemoErrorCode = keyof typeof DEMO_ERRORS;

/** Thrown by handlers; the router turns it into the JSON error response. */
export class DemoError extends Error {
  constructor(
    readonly code: DemoErrorCode,
    message: string = DEMO_ERRORS[code].message,
    /** Flat [name, value, …] list of extra headers. */
    readonly headers: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The one place the demo app writes error responses. */
export function sendError(res: ServerResponse, error: DemoError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  for (let i = 0; i + 1 < error.headers.length; i += 2) res.setHeader(error.headers[i]!, error.headers[i + 1]!);
  res.writeHead(DEMO_ERRORS[error.code].status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** One line naming each bad field, e.g. `name: Too small: expected string to have >=1 characters`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}
