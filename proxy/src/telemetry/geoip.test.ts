import { describe, expect, it } from 'vitest';
import { countryOf, preloadGeoIp } from './geoip.js';

describe('countryOf (geoip-country, offline)', () => {
  it('loads the database shipped in the package', () => {
    expect(preloadGeoIp()).toBe(true);
  });

  it('names public IPv4 and IPv6 addresses by ISO 3166 alpha-2 code', () => {
    // Well-known anycast resolvers whose registration country does not move.
    expect(countryOf('8.8.8.8')).toBe('US');
    expect(countryOf('::ffff:8.8.8.8')).toBe('US');
    expect(countryOf('2001:4860:4860::8888')).toBe('US');
    expect(countryOf('193.0.14.129')).toMatch(/^[A-Z]{2}$/);
  });

  it('shows loopback as LO and private or link-local networks as LAN', () => {
    expect(countryOf('127.0.0.1')).toBe('LO');
    expect(countryOf('::1')).toBe('LO');
    expect(countryOf('::ffff:127.0.0.1')).toBe('LO');
    expect(countryOf('10.1.2.3')).toBe('LAN');
    expect(countryOf('192.168.0.10')).toBe('LAN');
    expect(countryOf('172.20.0.1')).toBe('LAN');
    expect(countryOf('fd00::1')).toBe('LAN');
  });

  it('answers "" for what it cannot place, never throwing', () => {
    expect(countryOf('')).toBe('');
    expect(countryOf('not an ip')).toBe('');
    expect(countryOf('0.0.0.0')).toBe('');
    expect(countryOf("1.2.3.4'; DROP TABLE requests")).toBe('');
  });
});
