import { isIPv4, isIPv6 } from 'node:net';

/**
 * Fallback country lookup without a GeoIP database: names loopback and
 * private addresses, and "" for the rest. A GeoIP-backed lookup replaces it.
 */
export function localCountryOf(ip: string): string {
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIPv4(address)) {
    if (address.startsWith('127.')) return 'LO';
    const [a, b] = address.split('.').map(Number) as [number, number];
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) return 'LAN';
    return '';
  }
  if (isIPv6(address)) {
    if (address === '::1') return 'LO';
    const lower = address.toLowerCase();
    if (lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80')) return 'LAN';
  }
  return '';
}
