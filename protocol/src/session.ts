import { z } from 'zod';

/** Header that carries the session id; it wins over the cookie. */
export const SESSION_HEADER = 'x-downspin-session';
/** Cookie that carries the session id when no header is sent. */
export const SESSION_COOKIE = 'downspin_sid';

/** A client-made id: 1–128 characters of `A-Z a-z 0-9 _ -`. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export const SessionIdSchema = z
  .string()
  .regex(SESSION_ID_PATTERN, 'a session id is 1-128 characters of A-Z a-z 0-9 _ -');
export type SessionId = z.infer<typeof SessionIdSchema>;

export function isValidSessionId(value: string): boolean {
  return SESSION_ID_PATTERN.test(value);
}

/** Length (hex characters) of the short hash shown instead of a session id. */
export const SESSION_HASH_LENGTH = 12;
export const SESSION_HASH_PATTERN = /^[0-9a-f]{12}$/;

/**
 * The short hash the dashboard and API show instead of the id: the first
 * 12 hex characters of SHA-256(id). Uses WebCrypto so the extension and the
 * servers compute the same value.
 *
 * @example await sessionHash('s1') // '0a3b…' (12 hex characters)
 */
export async function sessionHash(id: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(id));
  let hex = '';
  for (const byte of new Uint8Array(digest).subarray(0, SESSION_HASH_LENGTH / 2)) {
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/**
 * A new random session id: 128 bits, base64url (22 characters).
 * Works wherever WebCrypto exists (browsers, Node 20+).
 */
export function newSessionId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
