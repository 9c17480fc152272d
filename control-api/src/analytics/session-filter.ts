import type { SessionStore } from '@downspin/db';
import { SESSION_HASH_PATTERN, SESSION_ID_PATTERN, sessionHash } from '@downspin/protocol';
import { ApiError } from '../errors.js';
import { fromStore } from '../store-errors.js';

/**
 * The telemetry hash of a session named by hash or id (telemetry rows hold
 * hashes only). A 12-hex value is looked up in the session store first (as a
 * hash, then as an id, like the other session paths); one the store does not
 * know is taken as a hash, since rows may outlive the session store's memory
 * of it. Anything else that is a valid id is hashed.
 */
export async function telemetryHashOf(store: SessionStore, raw: string, code: 'invalid_query' | 'malformed_session_id'): Promise<string> {
  if (!SESSION_ID_PATTERN.test(raw)) {
    throw code === 'invalid_query'
      ? new ApiError(code, { message: 'The query string is invalid: session: a session is its 12-hex hash or its id (1-128 characters of A-Z a-z 0-9 _ -)' })
      : new ApiError(code);
  }
  if (SESSION_HASH_PATTERN.test(raw)) {
    const record = await fromStore(() => store.findSession(raw));
    return record?.hash ?? raw;
  }
  return sessionHash(raw);
}
