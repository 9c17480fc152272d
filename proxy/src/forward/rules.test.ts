import { describe, expect, it } from 'vitest';
import { MALFORMED_CREDENTIALS, parseAuthority, parseProxySession } from './authority.js';
import { isForbiddenAddress } from './addresses.js';
import { HostRules, normalizeHost, parseHostRule } from './hosts.js';
import { parseResolveEntry, ResolveMap } from './resolve-map.js';

describe('host rules (--intercept)', () => {
  const rules = new HostRules(['staging.example.com', '*.staging.example.com'].map(parseHostRule));

  it.each([
    ['staging.example.com', true],
    ['api.staging.example.com', true],
    ['a.b.staging.example.com', true],
    ['example.com', false],
    ['staging.example.com.evil.com', false],
    ['evilstaging.example.com', false],
    ['x.staging.example.com.evil.com', false],
  ])('%s → %s', (host, listed) => {
    expect(rules.matches(normalizeHost(host)!)).toBe(listed);
  });

  it('*.x matches subdomains, not x itself', () => {
    expect(new HostRules([parseHostRule('*.app.test')]).matches('app.test')).toBe(false);
  });

  it('normalizes case and a trailing dot before matching', () => {
    expect(rules.matches(normalizeHost('API.Staging.Example.COM.')!)).toBe(true);
  });

  it.each(['*', '*.com', 'a*.example.com', 'exa mple.com', '', 'http://x.com', '**.x.com'])('refuses the rule %j', (rule) => {
    expect(() => parseHostRule(rule)).toThrow();
  });
});

describe('CONNECT authority', () => {
  it.each([
    ['api.test:443', { host: 'api.test', port: 443 }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['API.TEST.:443', { host: 'api.test', port: 443 }],
  ])('parses %s', (raw, parsed) => {
    expect(parseAuthority(raw)).toEqual(parsed);
  });

  it.each(['api.test', 'api.test:', ':443', 'api.test:0', 'api.test:65536', '::1:443', 'user@api.test:443', 'a..b:443', `${'a'.repeat(400)}:443`])(
    'refuses %j',
    (raw) => {
      expect(parseAuthority(raw)).toBeUndefined();
    },
  );
});

describe('proxy credentials', () => {
  const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
  it('takes the user name as the session id', () => {
    expect(parseProxySession(basic('s-1:whatever'))).toBe('s-1');
    expect(parseProxySession(basic('s-1'))).toBe('s-1');
    expect(parseProxySession(undefined)).toBeUndefined();
  });
  it.each([basic('bad id:x'), basic(':x'), 'Bearer abc', 'Basic', 'Basic !!!'])('refuses %j', (header) => {
    expect(parseProxySession(header)).toBe(MALFORMED_CREDENTIALS);
  });
});

describe('forbidden tunnel addresses', () => {
  it.each(['127.0.0.1', '127.8.9.1', '0.0.0.0', '169.254.169.254', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '100.100.100.200', 'garbage'])(
    '%s is forbidden',
    (address) => expect(isForbiddenAddress(address)).toBe(true),
  );
  it.each(['93.184.216.34', '10.0.0.1', '2606:4700::1'])('%s is not', (address) => expect(isForbiddenAddress(address)).toBe(false));
});

describe('--resolve', () => {
  it('maps host:port to the address, other ports and hosts not', () => {
    const map = new ResolveMap(['api.test:443:127.0.0.1', 'v6.test:443:[::1]']);
    expect(map.addressOf('api.test', 443)).toBe('127.0.0.1');
    expect(map.addressOf('api.test', 80)).toBeUndefined();
    expect(map.addressOf('v6.test', 443)).toBe('::1');
  });
  it.each(['api.test:443', 'api.test:443:not-an-ip', 'api.test:x:127.0.0.1', ':443:127.0.0.1'])('refuses %j', (entry) => {
    expect(() => parseResolveEntry(entry)).toThrow(/host:port:address/);
  });
});
