import type { Logger } from 'pino';

/** Distinct causes remembered; past it every failure logs at debug only (bounded memory). */
const MAX_CAUSES = 64;

/**
 * Upstream failures in words, logged at warn the first time each cause
 * (ECONNREFUSED, CERT_HAS_EXPIRED, ERR_TLS_…) is seen, at debug after: a
 * target with a bad certificate must show in the log at the default level,
 * but a target that is down must not log once per request.
 */
export class UpstreamFailures {
  private readonly seen = new Set<string>();

  constructor(
    private readonly target: URL,
    private readonly logger: Logger,
  ) {}

  /** Logs the failure and returns the words for the error answer. */
  note(error: NodeJS.ErrnoException, path: string | undefined, target: URL = this.target): string {
    const cause = error.code ?? error.message;
    const details = describeUpstreamError(cause, target);
    if (!this.seen.has(cause) && this.seen.size < MAX_CAUSES) {
      this.seen.add(cause);
      this.logger.warn({ cause, path, target: target.origin }, `upstream request failed: ${details} (logged once per cause)`);
    } else {
      this.logger.debug({ err: error, path }, 'upstream request failed');
    }
    return details;
  }
}

/** Words naming why the upstream failed, with the fix for certificate errors. */
export function describeUpstreamError(cause: string, target: URL): string {
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/.test(cause);
  return tls
    ? `${target.origin}: ${cause} (its certificate does not verify; start with --upstream-ca <its CA file>, or --insecure-target to trust any)`
    : `${target.origin}: ${cause}`;
}
