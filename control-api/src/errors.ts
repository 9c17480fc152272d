import { ERROR_CATALOGUE, type ErrorBody, type ErrorCode } from '@downspin/protocol';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';

export interface ApiErrorOptions {
  /** Replaces the catalogue's message, e.g. with the fields a body got wrong. */
  message?: string;
  details?: unknown;
  cause?: unknown;
}

/**
 * An error the API answers with: a code from the protocol's
 * `ERROR_CATALOGUE`, which gives its status. Thrown anywhere in a request;
 * `errorHandler` writes it.
 *
 * @example throw new ApiError('session_not_found');
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: ContentfulStatusCode;
  readonly details: unknown;

  constructor(
    readonly code: ErrorCode,
    options: ApiErrorOptions = {},
  ) {
    super(options.message ?? ERROR_CATALOGUE[code].message, { cause: options.cause });
    this.status = ERROR_CATALOGUE[code].status as ContentfulStatusCode;
    this.details = options.details;
  }
}

/** Hono's own exceptions (body parsing, media type gates) in catalogue terms. */
function fromHttpException(error: HTTPException): ApiError {
  switch (error.status) {
    case 400:
      return new ApiError('invalid_json', { cause: error });
    case 401:
      return new ApiError('unauthorized', { cause: error });
    case 404:
      return new ApiError('not_found', { cause: error });
    case 413:
      return new ApiError('payload_too_large', { cause: error });
    case 415:
      return new ApiError('unsupported_media_type', { cause: error });
    default:
      return new ApiError('internal', { cause: error });
  }
}

function respond(c: Context, error: ApiError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  c.header('cache-control', 'no-store');
  return c.json(body, error.status);
}

/**
 * The one place the control API writes error responses:
 * `{ "error": { "code", "message", "details"? } }` with the catalogue's
 * status. Anything that is not an `ApiError` is logged and answered 500.
 */
export function errorHandler(logger: Logger): ErrorHandler {
  return function onError(error, c) {
    let apiError: ApiError;
    if (error instanceof ApiError) apiError = error;
    else if (error instanceof HTTPException) apiError = fromHttpException(error);
    else apiError = new ApiError('internal', { cause: error });
    if (apiError.status >= 500) {
      logger.error({ err: error, cause: apiError.cause, method: c.req.method, path: c.req.path }, apiError.message);
    }
    return respond(c, apiError);
  };
}

export const notFoundHandler: NotFoundHandler = (c) => respond(c, new ApiError('not_found'));
