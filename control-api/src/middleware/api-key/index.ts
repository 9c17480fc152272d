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
 * Requires the admin key in `X-API-Key` or `Authorization: Bearer`,
 * compared in constant time; anything else is 401 `unauthorized`.
 *
 * @example app.use('/admin/*', apiKeyAuth({ key: process.env.ADMIN_API_KEY! }));
 */
export function apiKeyAuth({ key, headerName = 'X-API-Key' }: ApiKeyAuthOptions): MiddlewareHandler {
  if (key.length === 0) throw new Error('apiKeyAuth needs a non-empty key');
  const expected = digest(key);
  return async function apiKeyAuthMiddleware(c, next) {
    const sent = c.req.header(headerName) ?? bearerToken(c.req.header('Authorization'));
    if (sent === undefined || !timingSafeEqual(digest(sent), expected)) throw new ApiError('unauthorized');
    await next();
  };
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}
