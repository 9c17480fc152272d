import { describe, expect, it } from 'vitest';
import { clientOriginAllowed, dashboardOriginAllowed } from './origin.js';

describe('clientOriginAllowed', () => {
  it('takes extension origins and clients that send none, and nothing else by default', () => {
    expect(clientOriginAllowed(undefined)).toBe(true);
    expect(clientOriginAllowed('chrome-extension://abcdefghijklmnopabcdefghijklmnop')).toBe(true);
    expect(clientOriginAllowed('moz-extension://0a1b2c3d-4e5f-6789-abcd-ef0123456789')).toBe(true);
    for (const origin of ['https://evil.example', 'http://127.0.0.1:8081', 'null', 'chrome-extension://', 'chrome-extension://x/../y']) {
      expect(clientOriginAllowed(origin), origin).toBe(false);
    }
  });

  it('takes exactly the configured list when there is one', () => {
    const pinned = ['chrome-extension://pinnedid'];
    expect(clientOriginAllowed('chrome-extension://pinnedid', pinned)).toBe(true);
    expect(clientOriginAllowed('chrome-extension://otherid', pinned)).toBe(false);
    expect(clientOriginAllowed(undefined, pinned)).toBe(true);
  });
});

describe('dashboardOriginAllowed', () => {
  const host = '127.0.0.1:8081';
  it('takes the API’s own origin (http or https) and no origin', () => {
    expect(dashboardOriginAllowed({ host })).toBe(true);
    expect(dashboardOriginAllowed({ host, origin: 'http://127.0.0.1:8081' })).toBe(true);
    expect(dashboardOriginAllowed({ host: 'downspin.example', origin: 'https://downspin.example' })).toBe(true);
  });

  it('refuses other hosts, ports and schemes, unless listed', () => {
    for (const origin of ['http://127.0.0.1:8080', 'http://evil.example', 'null', 'chrome-extension://abc', 'http://127.0.0.1:8081.evil.example']) {
      expect(dashboardOriginAllowed({ host, origin }), origin).toBe(false);
    }
    expect(dashboardOriginAllowed({ host, origin: 'http://localhost:5173' }, ['http://localhost:5173'])).toBe(true);
  });
});
