import { ApiError } from './errors.js';

/**
 * Runs a session-store call; any failure of the store is 503
 * `store_unavailable` (the store changes nothing on a failed call). The
 * original error is kept as the cause and logged by the error handler.
 */
export async function fromStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('store_unavailable', { cause: error });
  }
}
