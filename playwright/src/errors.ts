/**
 * An error answer of the control API, thrown as is: the message is the API's
 * `code: message`, so a failing test reads like the API's own answer.
 *
 * @example
 * await expect(shaper.apply({ latency: { ms: -1 } })).rejects.toThrow(/^invalid_body: latency\.ms/);
 */
export class DownspinApiError extends Error {
  override readonly name = 'DownspinApiError';

  constructor(
    /** The error code from the API's catalogue, e.g. `invalid_body`, `unauthorized`. */
    readonly code: string,
    message: string,
    /** HTTP status of the answer. */
    readonly status: number,
    /** `details` of the error body, when the API sent some. */
    readonly details?: unknown,
  ) {
    super(`${code}: ${message}`);
  }
}

/**
 * A shaping change that not every live proxy acknowledged in time. The test
 * would race its own setup if it went on, so the call fails instead.
 */
export class ShapingNotAcknowledgedError extends Error {
  override readonly name = 'ShapingNotAcknowledgedError';

  constructor(
    readonly version: number,
    /** Proxies that did not acknowledge the version. */
    readonly pending: readonly string[],
    /** Proxies that did. */
    readonly appliedBy: readonly string[],
  ) {
    super(
      `downspin: shaping version ${version} was not acknowledged by ${pending.length === 1 ? 'proxy' : 'proxies'} ` +
        `${pending.join(', ')} (applied by ${appliedBy.length > 0 ? appliedBy.join(', ') : 'none'}); ` +
        'those proxies may still run the old shaping, so the test stops here rather than race its own setup',
    );
  }
}

/** The control API could not be reached, answered something that is not its API, or too late. */
export class DownspinConnectionError extends Error {
  override readonly name = 'DownspinConnectionError';

  constructor(
    message: string,
    /** False when the request surely never reached the API (nothing listening, unknown host). */
    readonly mayHaveArrived: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
