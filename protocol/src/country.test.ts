import { describe, expect, it } from 'vitest';
import { localCountryOf } from './country.js';

describe('localCountryOf', () => {
  it('names loopback LO and private or link-local networks LAN, in IPv4, mapped IPv4 and IPv6', () => {
    expect(['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1'].map(localCountryOf)).toEqual(['LO', 'LO', 'LO', 'LO']);
    expect(['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.0.10', '169.254.1.1', 'fd00::1', 'FC00::1', 'fe80::1%eth0'].map(localCountryOf)).toEqual(
      Array(8).fill('LAN'),
    );
  });

  it('answers "" for public, malformed and hostile input', () => {
    expect(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '', 'not an ip', '0.0.0.0', '127.0.0.1.evil', "1.2.3.4'; DROP TABLE requests", 'fdxyz'].map(localCountryOf)).toEqual(
      Array(9).fill(''),
    );
  });
});
