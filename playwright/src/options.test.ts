import { describe, expect, it } from 'vitest';
import { resolveForwardProxy, resolveOptions, resolveProxyOrigins, resolveSessionOrigins } from './options.js';
import { trustDownspinCa } from './trust.js';

describe('resolveOptions', () => {
  const env = { DOWNSPIN_CONTROL_URL: 'http://env-control:8081', ADMIN_API_KEY: 'env-key', DOWNSPIN_PROXY_URL: 'http://env-proxy:8080/x' };

  it('takes each field from the options first, then from the environment', () => {
    const resolved = resolveOptions({ apiKey: 'option-key' }, 'http://base:3000', env);
    expect(resolved.controlUrl.href).toBe('http://env-control:8081/');
    expect(resolved.apiKey).toBe('option-key');
    expect(resolved.proxyOrigins).toEqual(['http://env-proxy:8080']);
    expect(resolved.statsTimeoutMs).toBe(10_000);
    expect(resolved.requestTimeoutMs).toBe(15_000);
  });

  it('treats blank values as unset', () => {
    expect(resolveOptions({ controlUrl: '  ', apiKey: '' }, undefined, env)).toMatchObject({ apiKey: 'env-key' });
  });

  it('names the option and the variable when the control URL or key is missing', () => {
    expect(() => resolveOptions({}, undefined, {})).toThrow(
      'downspin: no control API URL: set use: { downspin: { controlUrl } } in the Playwright config or DOWNSPIN_CONTROL_URL',
    );
    expect(() => resolveOptions({ controlUrl: 'http://c:1' }, undefined, {})).toThrow(/no API key: .*ADMIN_API_KEY/);
  });

  it('rejects URLs that are not http(s) and timeouts that are not positive', () => {
    expect(() => resolveOptions({ controlUrl: 'localhost:8081', apiKey: 'k' }, undefined, {})).toThrow(
      'downspin: downspin.controlUrl="localhost:8081" must be an http or https URL',
    );
    expect(() => resolveOptions({ controlUrl: 'nope', apiKey: 'k' }, undefined, {})).toThrow(/is not a URL/);
    expect(() => resolveOptions({ controlUrl: 'http://c', apiKey: 'k', statsTimeoutMs: 0 }, undefined, {})).toThrow(
      'downspin.statsTimeoutMs must be a positive number of ms, got 0',
    );
  });
});

describe('resolveProxyOrigins', () => {
  it('prefers proxyUrl, then DOWNSPIN_PROXY_URL, then baseURL, else none', () => {
    expect(resolveProxyOrigins({ proxyUrl: 'http://p:1/path' }, 'http://b:2', { DOWNSPIN_PROXY_URL: 'http://e:3' })).toEqual(['http://p:1']);
    expect(resolveProxyOrigins({}, 'http://b:2', { DOWNSPIN_PROXY_URL: 'http://e:3' })).toEqual(['http://e:3']);
    expect(resolveProxyOrigins({}, 'http://b:2/app/', {})).toEqual(['http://b:2']);
    expect(resolveProxyOrigins({}, undefined, {})).toEqual([]);
  });
});

describe('resolveSessionOrigins', () => {
  it('is baseURL, proxyUrl (or DOWNSPIN_PROXY_URL) and sessionOrigins, each origin once', () => {
    expect(
      resolveSessionOrigins(
        { proxyUrl: 'http://127.0.0.1:8080/app', sessionOrigins: ['http://127.0.0.1:8090/api/', 'https://proxy.test'] },
        'http://localhost:8080/',
        {},
      ),
    ).toEqual(['http://localhost:8080', 'http://127.0.0.1:8080', 'http://127.0.0.1:8090', 'https://proxy.test']);
    expect(resolveSessionOrigins({}, 'http://b:2', { DOWNSPIN_PROXY_URL: 'http://b:2/x' })).toEqual(['http://b:2']);
    expect(resolveSessionOrigins({}, undefined, {})).toEqual([]);
  });

  it('names the entry that is not an http(s) origin', () => {
    expect(() => resolveSessionOrigins({ sessionOrigins: ['http://ok:1', 'ws://x:2'] }, undefined, {})).toThrow(
      'downspin: downspin.sessionOrigins[1]="ws://x:2" must be an http or https URL',
    );
    expect(() => resolveSessionOrigins({ sessionOrigins: 'http://a:1' as unknown as string[] }, undefined, {})).toThrow(
      /sessionOrigins must be a list of origins/,
    );
  });
});

describe('forward mode', () => {
  const forward = { forward: true, proxyUrl: 'http://127.0.0.1:8080', sessionOrigins: ['https://api.staging.test/'] };

  it('uses the proxy as the browser proxy and counts the app origins it intercepts, not the proxy', () => {
    expect(resolveForwardProxy(forward, {})).toBe('http://127.0.0.1:8080');
    expect(resolveForwardProxy({ forward: true }, { DOWNSPIN_PROXY_URL: 'http://p:1/x' })).toBe('http://p:1');
    expect(resolveProxyOrigins(forward, 'https://app.staging.test/home', {})).toEqual(['https://app.staging.test', 'https://api.staging.test']);
    // The proxy credentials carry the session: no cookie for any origin.
    expect(resolveSessionOrigins(forward, 'https://app.staging.test', {})).toEqual([]);
  });

  it('is off unless asked for, and names what is missing', () => {
    expect(resolveForwardProxy({ proxyUrl: 'http://p:1' }, {})).toBeUndefined();
    expect(() => resolveForwardProxy({ forward: true }, {})).toThrow(/forward mode needs the proxy: .*DOWNSPIN_PROXY_URL/);
    expect(() => resolveForwardProxy({ forward: true, proxyUrl: 'https://p:1' }, {})).toThrow(/must be an http URL in forward mode/);
  });
});

describe('trustDownspinCa', () => {
  const spki = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';

  it('is the Chromium argument that trusts those SPKI hashes only', () => {
    expect(trustDownspinCa(spki)).toEqual([`--ignore-certificate-errors-spki-list=${spki}`]);
    expect(trustDownspinCa()).toEqual([]);
  });

  it('refuses what is not a base64 SHA-256 hash, so a typo does not pass unnoticed', () => {
    expect(() => trustDownspinCa('abc')).toThrow(/not a base64 SHA-256 SPKI hash/);
    expect(() => trustDownspinCa(`${spki},x`)).toThrow(/not a base64 SHA-256 SPKI hash/);
  });
});
