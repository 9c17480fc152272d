import { describe, expect, it } from 'vitest';
import {
  clientChannelUrl,
  contentMatchPattern,
  eventsUrl,
  tabStatus,
  hostPermissionPattern,
  isOnOrigins,
  neededPermissions,
  parseControlUrl,
  parseOrigin,
  withoutQuery,
} from './origins.js';

describe('parseOrigin', () => {
  it.each([
    ['http://localhost:8080', 'http://localhost:8080'],
    ['  HTTP://LocalHost:8080/ ', 'http://localhost:8080'],
    ['https://qa.example.com:443', 'https://qa.example.com'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('normalises %s', (input, origin) => {
    expect(parseOrigin(input)).toEqual({ ok: true, value: origin });
  });

  it.each([
    ['', 'required'],
    ['localhost:8080', 'http:// or https://'],
    ['ftp://files.example', 'http:// or https://'],
    ['not a url', 'not a URL'],
    ['http://localhost:8080/app', 'without a path'],
    ['http://localhost:8080/?q=1', 'without a path'],
    ['http://user:pw@localhost:8080', 'user name'],
  ])('refuses %j with a clear reason', (input, reason) => {
    const parsed = parseOrigin(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toContain(reason);
  });
});

describe('control API URL', () => {
  it('keeps a path prefix and builds the channel and events URLs under it', () => {
    expect(parseControlUrl('http://localhost:8081/')).toEqual({ ok: true, value: 'http://localhost:8081' });
    expect(parseControlUrl('https://qa.example.com/downspin/')).toEqual({ ok: true, value: 'https://qa.example.com/downspin' });
    expect(clientChannelUrl('http://localhost:8081')).toBe('ws://localhost:8081/ws/client');
    expect(clientChannelUrl('https://qa.example.com/downspin')).toBe('wss://qa.example.com/downspin/ws/client');
    expect(eventsUrl('https://qa.example.com/downspin')).toBe('https://qa.example.com/downspin/events');
  });

  it('refuses queries and other schemes', () => {
    expect(parseControlUrl('http://localhost:8081/?k=1').ok).toBe(false);
    expect(parseControlUrl('ws://localhost:8081').ok).toBe(false);
  });
});

describe('patterns', () => {
  it('match one origin with its port in Chrome, the host on every port in Firefox', () => {
    expect(contentMatchPattern('http://localhost:8080', true)).toBe('http://localhost:8080/*');
    expect(contentMatchPattern('http://localhost:8080', false)).toBe('http://localhost/*');
    expect(contentMatchPattern('https://qa.example.com', true)).toBe('https://qa.example.com/*');
  });

  it('ask permission per host, for the proxy origins and the control API', () => {
    expect(hostPermissionPattern('http://127.0.0.1:40979')).toBe('http://127.0.0.1/*');
    expect(neededPermissions(['http://localhost:8080', 'http://localhost:9090', 'https://app.example.com'], 'https://qa.example.com/downspin')).toEqual([
      'http://localhost/*',
      'ws://localhost/*',
      'https://app.example.com/*',
      'wss://app.example.com/*',
      'https://qa.example.com/*',
    ]);
  });

  it('tell whether a page is on a proxy origin (scheme, host and port)', () => {
    const origins = ['http://localhost:8080'];
    expect(isOnOrigins('http://localhost:8080/about.html?x=1', origins)).toBe(true);
    expect(isOnOrigins('http://localhost:8081/', origins)).toBe(false);
    expect(isOnOrigins('https://localhost:8080/', origins)).toBe(false);
    expect(isOnOrigins('not a url', origins)).toBe(false);
  });

  it('strip query and fragment from event URLs', () => {
    expect(withoutQuery('http://localhost:8080/cart?token=abc#access_token=x')).toBe('http://localhost:8080/cart');
    expect(withoutQuery('')).toBe('');
  });
});

describe('tabStatus', () => {
  const origins = ['http://127.0.0.1:8080', 'http://localhost:8080'];
  it('is on an origin for a page of a configured origin, in either spelling', () => {
    expect(tabStatus('http://127.0.0.1:8080/cart?x=1', origins)).toEqual({ onOrigin: true, origin: 'http://127.0.0.1:8080' });
    expect(tabStatus('http://localhost:8080/', origins)).toEqual({ onOrigin: true, origin: 'http://localhost:8080' });
  });
  it('names the origin of a web page that is not configured (other port, scheme or host)', () => {
    expect(tabStatus('http://127.0.0.1:3000/', origins)).toEqual({ onOrigin: false, origin: 'http://127.0.0.1:3000' });
    expect(tabStatus('https://localhost:8080/', origins)).toEqual({ onOrigin: false, origin: 'https://localhost:8080' });
  });
  it('is off, without an origin, for a tab it cannot read or a browser page', () => {
    expect(tabStatus(undefined, origins)).toEqual({ onOrigin: false, origin: undefined });
    expect(tabStatus('chrome://newtab/', origins)).toEqual({ onOrigin: false, origin: undefined });
    expect(tabStatus('not a url', origins)).toEqual({ onOrigin: false, origin: undefined });
  });
});
