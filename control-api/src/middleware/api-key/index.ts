import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../errors.js';

export interface ApiKeyAuthOptions {
  /** The admin key (`ADMIN_API_KEY`). Must not be empty. */
  key: string;
  /** Header carrying the key. Default `X-API-Key`; `Authorization: Bearer <key>` is always accepted too. */
  headerName?: string;
}

// Both sides are hashed to 32 bytes, so the comparison takes the same time
// whatever the length or content of the key sent.
const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * A constant-time check of a presented key against `key`, for places that
 * are not Hono routes (WebSocket upgrades).
 */
export function keyChecker(key: string): (sent: string | undefined) => boolean {
  if (key.length === 0) throw new Error('an API key check needs a non-empty key');
  const expected = digest(key);
  return (sent) => sent !== undefined && timingSafeEqual(digest(sent), expected);
}

/** The key a request presents: the named header, else `Authorization: Bearer`. */
export function presentedKey(header: (name: string) => string | undefined, headerName = 'X-API-Key'): string | undefined {
  return header(headerName) ?? bearerToken(header('Authorization'));
}

/**
 * Requires the admin key in `X-API-Key` or `Authorization: Bearer`,
 * compared in constant time; anything else is 401 `unauthorized`.
 *
 * @example app.use('/admin/*', apiKeyAuth({ key: process.env.ADMIN_API_KEY! }));
 */
export function apiKeyAuth({ key, headerName = 'X-API-Key' }: ApiKeyAuthOptions): MiddlewareHandler {
  if (key.length === 0) throw new Error('apiKeyAuth needs a non-empty key');
  const matches = keyChecker(key);
  return async function apiKeyAuthMiddleware(c, next) {
    if (!matches(presentedKey((name) => c.req.header(name), headerName))) throw new ApiError('unauthorized');
    await next();
  };
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}
