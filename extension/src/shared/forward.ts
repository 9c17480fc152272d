/**
 * "Route these hosts through downspin" (forward mode): the hosts whose
 * requests the browser sends through the downspin proxy, which intercepts
 * their TLS and shapes them at their real URLs. Pure: the PAC script for
 * Chrome, the proxy answer for Firefox, the origins that get the session
 * header, and what counts as "the downspin CA is not trusted yet".
 */
import type { Parsed } from './origins.js';

/** Most hosts the option lists: a PAC script and a filter per host stay small. */
export const MAX_FORWARD_HOSTS = 50;
/** Where `downspin start` listens. */
export const DEFAULT_FORWARD_PROXY = '127.0.0.1:8080';

/** A DNS name (labels of letters, digits, `-`) or an IPv4 address; lower case. */
const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Reads one host of the list: a name only, as the browser asks for it
 * (`api.staging.example.com`); a pasted origin loses its scheme and
 * trailing slash. No port (the proxy intercepts https on 443), no wildcard.
 */
export function parseForwardHost(input: string): Parsed<string> {
  const text = input.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/$/, '');
  if (text === '') return { ok: false, error: 'a host is required, e.g. api.staging.example.com' };
  if (!HOST.test(text)) return { ok: false, error: `"${input.trim()}" is not a host name; write it like api.staging.example.com (no port, path or wildcard)` };
  return { ok: true, value: text };
}

export interface ProxyAddress {
  host: string;
  port: number;
}

/** Reads the proxy's address, `127.0.0.1:8080` or `http://127.0.0.1:8080`; normalised to `host:port`. */
export function parseProxyAddress(input: string): Parsed<string> {
  const text = input.trim().replace(/^http:\/\//, '').replace(/\/$/, '');
  const match = /^([a-z0-9.-]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(text);
  const port = match === null ? 0 : Number(match[2]);
  if (match === null || port < 1 || port > 65_535) {
    return { ok: false, error: `"${input.trim()}" is not a proxy address; write it like 127.0.0.1:8080 (what downspin start prints)` };
  }
  return { ok: true, value: `${match[1]!.toLowerCase()}:${port}` };
}

export function proxyAddressParts(address: string): ProxyAddress {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

/**
 * Chrome's PAC script: the listed hosts go through the proxy, everything
 * else direct. The hosts are checked names (no quotes or backslashes can
 * reach the script); JSON quoting keeps it so anyway.
 */
export function buildPacScript(hosts: readonly string[], proxy: string): string {
  return [
    'function FindProxyForURL(url, host) {',
    `  var listed = ${JSON.stringify(hosts)};`,
    '  host = host.toLowerCase();',
    '  for (var i = 0; i < listed.length; i++) {',
    `    if (host === listed[i]) return ${JSON.stringify(`PROXY ${proxy}`)};`,
    '  }',
    "  return 'DIRECT';",
    '}',
  ].join('\n');
}

/** What Firefox's `proxy.onRequest` answers for `url`: the proxy for a listed host, else direct. */
export function firefoxProxyFor(url: string, hosts: readonly string[], proxy: string): { type: 'http'; host: string; port: number } | { type: 'direct' } {
  if (!URL.canParse(url)) return { type: 'direct' };
  const host = new URL(url).hostname.toLowerCase();
  if (!hosts.includes(host)) return { type: 'direct' };
  return { type: 'http', ...proxyAddressParts(proxy) };
}

/** The origins of the listed hosts that get the session header: their https and http ones. */
export function forwardOrigins(hosts: readonly string[]): string[] {
  return hosts.flatMap((host) => [`https://${host}`, `http://${host}`]);
}

/** URL patterns of the listed hosts, for the `webRequest` filter and Firefox's `proxy.onRequest`. */
export function forwardUrlPatterns(hosts: readonly string[]): string[] {
  return hosts.flatMap((host) => [`https://${host}/*`, `http://${host}/*`, `wss://${host}/*`, `ws://${host}/*`]);
}

/**
 * True when a failed request's error says the browser did not trust the
 * certificate it got: what the first intercepted request reports until the
 * downspin CA is trusted. Chrome says `net::ERR_CERT_AUTHORITY_INVALID`
 * (or another `ERR_CERT_`), Firefox `SEC_ERROR_UNKNOWN_ISSUER` or a
 * `MOZILLA_PKIX_ERROR_`.
 */
export function isCertificateError(error: string): boolean {
  return /ERR_CERT_|SEC_ERROR_|SSL_ERROR_BAD_CERT|MOZILLA_PKIX_ERROR_/i.test(error);
}
