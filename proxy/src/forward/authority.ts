import { SESSION_ID_PATTERN } from '@downspin/protocol';
import { normalizeHost } from './hosts.js';

/** A CONNECT target or the host of an absolute-form URL, normalized. */
export interface Authority {
  host: string;
  port: number;
}

/** Parses CONNECT's `host:port` (`[v6]:port`); undefined for anything else (no port, garbage, too long). */
export function parseAuthority(target: string): Authority | undefined {
  if (target.length > 300) return undefined;
  const colon = target.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const rawHost = target.slice(0, colon);
  const portText = target.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  // A bare IPv6 address without brackets is ambiguous (its last group reads as a port).
  if (rawHost.includes(':') && !rawHost.startsWith('[')) return undefined;
  const host = normalizeHost(rawHost);
  return host === undefined ? undefined : { host, port };
}

/** The challenge of a 407: browsers then send their proxy user name, the session id. */
export const PROXY_AUTHENTICATE: readonly string[] = ['proxy-authenticate', 'Basic realm="downspin session id as user name"'];

/** parseProxySession's answer for credentials that are present but not a session id. */
export const MALFORMED_CREDENTIALS = 1;

/**
 * The session id a client names in `Proxy-Authorization: Basic
 * base64(sessionId:anything)`, so a client that cannot set a header per
 * request (a browser's proxy settings, Playwright's `proxy.username`) is
 * still one session. Undefined without the header.
 */
export function parseProxySession(header: string | undefined): string | typeof MALFORMED_CREDENTIALS | undefined {
  if (header === undefined) return undefined;
  const match = /^basic[ \t]+([A-Za-z0-9+/=]{1,700})[ \t]*$/i.exec(header);
  if (match === null) return MALFORMED_CREDENTIALS;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return SESSION_ID_PATTERN.test(user) ? user : MALFORMED_CREDENTIALS;
}
