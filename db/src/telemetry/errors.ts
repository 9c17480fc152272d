/** A query argument was invalid (bad session hash, range, bucket, limit): the caller's fault, answer 400. */
export class TelemetryQueryError extends Error {
  override readonly name = 'TelemetryQueryError';
}

/**
 * The store could not do it. `retryable` is false when the store answered
 * and refused the data itself (trying the same batch again will not help).
 */
export class TelemetryStoreError extends Error {
  override readonly name = 'TelemetryStoreError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
