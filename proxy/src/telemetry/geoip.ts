import { createRequire } from 'node:module';
import { localCountryOf } from '@downspin/protocol';

/** The part of geoip-country used here (the package ships no types). */
interface GeoIpCountry {
  lookup(ip: string): { country?: string } | null;
}

let database: GeoIpCountry | undefined;
let unavailable = false;

/**
 * geoip-country reads its ~8 MB database (GeoLite2 country data shipped inside the npm
 * package: no network, no licence key) synchronously when first required, ~20-50 ms. Done on
 * the first public address, which the emitter looks up at flush time, off the request path; or
 * up front with `preloadGeoIp()`.
 */
function load(): GeoIpCountry | undefined {
  if (database === undefined && !unavailable) {
    try {
      database = createRequire(import.meta.url)('geoip-country') as GeoIpCountry;
    } catch {
      // A broken install must not break telemetry: countries stay "" (unknown).
      unavailable = true;
    }
  }
  return database;
}

/**
 * Loads the GeoIP database now (e.g. at startup), so the first flush with a public
 * address does not pay for it. Returns whether it is available.
 */
export function preloadGeoIp(): boolean {
  return load() !== undefined;
}

/**
 * The country of a client IP: "LO" for loopback, "LAN" for private and link-local addresses
 * (`localCountryOf`), else the ISO 3166 alpha-2 code from the offline GeoLite2 data in
 * geoip-country, or "" when unknown. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is looked up as IPv4.
 *
 * @example
 * startProxy({ target, bus, loadShaping, telemetry, countryOf });
 * countryOf('8.8.8.8'); // 'US'
 * countryOf('127.0.0.1'); // 'LO'
 */
export function countryOf(ip: string): string {
  const local = localCountryOf(ip);
  if (local !== '' || ip === '') return local;
  try {
    return load()?.lookup(ip)?.country ?? '';
  } catch {
    return '';
  }
}
