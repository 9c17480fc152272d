import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { randomFillSync } from 'node:crypto';
import { SESSION_COOKIE, SESSION_HEADER, SESSION_ID_PATTERN } from '@downspin/protocol';
import type { ProxiedRequest } from '../connection.js';

/** resolveSessionId's answer when the header holds a malformed id. */
export const MALFORMED_HEADER = 1;
/** resolveSessionId's answer when the cookie holds a malformed id. */
export const MALFORMED_COOKIE = 2;

const COOKIE_PREFIX = `${SESSION_COOKIE}=`;

/**
 * Finds the session id (header, then forward mode's proxy credentials, then
 * cookie) and strips header and cookie from the request, so the app under
 * test never sees them (proxy credentials are hop-by-hop, never forwarded). Returns undefined when the
 * client sent none. Only touches the cookie header when it holds ours.
 */
export function resolveSessionId(req: IncomingMessage): string | typeof MALFORMED_HEADER | typeof MALFORMED_COOKIE | undefined {
  const headers = req.headers;
  let id: string | typeof MALFORMED_HEADER | typeof MALFORMED_COOKIE | undefined;
  const header = headers[SESSION_HEADER];
  if (header !== undefined) {
    req.headers = withoutHeader(headers, SESSION_HEADER);
    // A repeated header arrives joined with ", ", which the pattern rejects.
    id = typeof header === 'string' && SESSION_ID_PATTERN.test(header) ? header : MALFORMED_HEADER;
  }
  // Checked when parsed (forward/mode.ts): a valid id or undefined.
  if (id === undefined) id = (req as ProxiedRequest).proxySession;
  const cookie = req.headers.cookie;
  // The substring test only skips parsing; the cookie is ours when a pair is named exactly
  // downspin_sid (an app's `x_downspin_sid=…` contains the text and is not).
  if (cookie !== undefined && cookie.includes(COOKIE_PREFIX)) {
    const { value, rest } = takeCookie(cookie);
    if (value !== undefined) {
      if (rest === '') req.headers = withoutHeader(req.headers, 'cookie');
      else req.headers.cookie = rest;
      if (id === undefined) id = SESSION_ID_PATTERN.test(value) ? value : MALFORMED_COOKIE;
    }
  }
  return id;
}

/**
 * A copy of the headers without one: `delete` would turn the object into a
 * slow dictionary, and the forwarder copies and walks it again.
 */
function withoutHeader(headers: IncomingHttpHeaders, name: string): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = {};
  for (const key in headers) if (key !== name) copy[key] = headers[key];
  return copy;
}

/** Splits our cookie out of a Cookie header: `value` is undefined when no pair is named ours. */
export function takeCookie(header: string): { value: string | undefined; rest: string } {
  let value: string | undefined;
  const kept: string[] = [];
  for (const part of header.split(';')) {
    const pair = part.trim();
    if (pair.startsWith(COOKIE_PREFIX)) value ??= pair.slice(COOKIE_PREFIX.length);
    else if (pair !== '') kept.push(pair);
  }
  return { value, rest: kept.join('; ') };
}

const ID_BYTES = 16;
/**
 * Random bytes for 256 ids, filled from the CSPRNG in one call and each byte
 * used once: a call per id cost ~2.5-7 µs, paid on every request of a client
 * that keeps no cookie (load tools, curl), against ~0.1 µs from the pool.
 * Node's randomUUID keeps an entropy cache the same way.
 */
const idPool = Buffer.alloc(ID_BYTES * 256);
let idPoolOffset = idPool.length;

/** A new id for a client that sent none: 128 random bits, base64url. */
export function assignSessionId(): string {
  if (idPoolOffset === idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const id = idPool.toString('base64url', idPoolOffset, idPoolOffset + ID_BYTES);
  idPoolOffset += ID_BYTES;
  return id;
}

export function sessionCookie(id: string): string {
  return `${COOKIE_PREFIX}${id}; Path=/; HttpOnly; SameSite=Lax`;
}

/** Expires a malformed cookie so the next request gets a fresh session. */
export const CLEAR_SESSION_COOKIE = `${COOKIE_PREFIX}; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`;
