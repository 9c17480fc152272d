import type { ErrorCode } from '@downspin/protocol';

/** The bus cannot take a message now (closed, or Redis is down): answer 503 `bus_unavailable`. */
export class BusUnavailableError extends Error {
  readonly code = 'bus_unavailable' satisfies ErrorCode;
  override readonly name = 'BusUnavailableError';
}

/** A message does not match its channel's schema: a bug in the sender, not a user error. */
export class InvalidBusMessageError extends Error {
  override readonly name = 'InvalidBusMessageError';
}
