import type { SessionRecord, SessionStore } from '@downspin/db';
import { SESSION_HASH_PATTERN, SESSION_ID_PATTERN } from '@downspin/protocol';
import { ApiError } from '../errors.js';
import { fromStore } from '../store-errors.js';

export interface ResolvedSession {
  /** The session id the path names (the id itself, or the id behind a known hash). */
  id: string;
  /** The stored session, when there is one. */
  record: SessionRecord | undefined;
}

/**
 * Reads `:id` from a path: a known session's 12-hex hash (checked first) or
 * a session id (1–128 of A-Za-z0-9_-). A hash nobody has is taken as an id
 * (12 hex characters are a valid id too). Anything else is 400
 * `malformed_session_id`.
 */
export async function resolveSession(store: SessionStore, raw: string): Promise<ResolvedSession> {
  const hashLike = SESSION_HASH_PATTERN.test(raw);
  if (!hashLike && !SESSION_ID_PATTERN.test(raw)) throw new ApiError('malformed_session_id');
  const record = await fromStore(() => (hashLike ? store.findSession(raw) : store.getSession(raw)));
  return { id: record?.id ?? raw, record };
}

/** Like `resolveSession`, but a session the store does not know is 404 `session_not_found`. */
export async function requireSession(store: SessionStore, raw: string): Promise<SessionRecord> {
  const { record } = await resolveSession(store, raw);
  if (record === undefined) throw new ApiError('session_not_found');
  return record;
}
