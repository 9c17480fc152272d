import { z } from 'zod';

/** The country code of a loopback client (telemetry rows, session lists). */
export const LOOPBACK_COUNTRY = 'LO';
/** The country code of a client on a private or link-local network. */
export const LAN_COUNTRY = 'LAN';

/**
 * The country of a client IP without a GeoIP database: "LO" for loopback,
 * "LAN" for private and link-local addresses, "" for the rest. The proxy's
 * GeoIP lookup asks this first; the control API uses it alone. zod's address
 * patterns rather than node:net, so the browser dashboard can import the
 * protocol package.
 */
export function localCountryOf(ip: string): string {
  const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const zone = mapped.indexOf('%');
  const address = zone === -1 ? mapped : mapped.slice(0, zone);
  if (z.regexes.ipv4.test(address)) {
    if (address.startsWith('127.')) return LOOPBACK_COUNTRY;
    const [a, b] = address.split('.').map(Number) as [number, number];
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) return LAN_COUNTRY;
    return '';
  }
  if (z.regexes.ipv6.test(address)) {
    if (address === '::1') return LOOPBACK_COUNTRY;
    const lower = address.toLowerCase();
    if (lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80')) return LAN_COUNTRY;
  }
  return '';
}
