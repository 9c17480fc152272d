/**
 * Waits until `check` passes (returns without throwing), trying again every
 * `intervalMs`; after `timeoutMs` it throws the last error. For conditions
 * that settle on their own time (a flush, a reconnect, another process),
 * instead of sleeping and hoping.
 *
 * @example
 * await eventually(() => expect(writer.stats().written).toBe(100), 20_000);
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
