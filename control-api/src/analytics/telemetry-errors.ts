import { TelemetryQueryError, TelemetryStoreError } from '@downspin/db';
import { ApiError } from '../errors.js';

/** A telemetry store's failure in catalogue terms; anything else is passed on as it is. */
export function toApiError(error: unknown): unknown {
  if (error instanceof TelemetryQueryError) {
    return new ApiError('invalid_query', { message: `The query string is invalid: ${error.message}`, cause: error });
  }
  if (error instanceof TelemetryStoreError) return new ApiError('telemetry_unavailable', { cause: error });
  return error;
}

/**
 * Runs a telemetry store call: `TelemetryQueryError` becomes 400
 * `invalid_query`, `TelemetryStoreError` 503 `telemetry_unavailable`
 * (written by the one error handler, which logs the cause of a 503).
 */
export async function fromTelemetry<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toApiError(error);
  }
}
