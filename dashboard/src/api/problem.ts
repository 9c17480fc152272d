import { parseErrorBody } from '@downspin/protocol';

/**
 * Something the control API (or the way to it) said no to, in words a user
 * can act on. `code` is the API's error code (`unauthorized`,
 * `session_not_found`, …), or `network` when no answer came, `invalid_body`
 * when the dashboard refused to send a bad body, `bad_response` when the
 * answer was not what the API promises.
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';

  constructor(
    readonly code: string,
    message: string,
    /** HTTP status; 0 when no response came. */
    readonly status: number,
  ) {
    super(message);
  }

  get unauthorized(): boolean {
    return this.code === 'unauthorized' || this.status === 401;
  }
}

/** An error response as a problem: the `{ error: { code, message } }` body, or the status in words. */
export async function problemFromResponse(res: Response): Promise<ApiProblem> {
  const error = parseErrorBody(await res.text().catch(() => ''));
  if (error !== undefined) return new ApiProblem(error.code, error.message, res.status);
  const reason = res.statusText ? ` ${res.statusText}` : '';
  return new ApiProblem(`http_${res.status}`, `The control API answered ${res.status}${reason}.`, res.status);
}

/** fetch itself failed: the API is down, restarting, or unreachable. */
export function networkProblem(error: unknown): ApiProblem {
  const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
  return new ApiProblem('network', `Cannot reach the control API${detail}. Is downspin still running?`, 0);
}

/** What to tell the user about any error, including ones that are not an ApiProblem. */
export function describeError(error: unknown): string {
  if (error instanceof ApiProblem) {
    if (error.unauthorized) {
      return 'The admin key was not accepted. Paste the key printed by `downspin start` (kept in .downspin/admin-key).';
    }
    return error.message;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
