import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { neededPermissions } from './origins.js';
import { buildPacScript, firefoxProxyFor, forwardUrlPatterns, isCertificateError, parseForwardHost, parseProxyAddress } from './forward.js';
import { SettingsSchema, taggedOrigins } from './settings.js';

/** Runs a PAC script as Chrome would, in a context of its own: its FindProxyForURL for a URL. */
function runPac(script: string, url: string): string {
  return runInNewContext(`${script}\nFindProxyForURL(url, host);`, { url, host: new URL(url).hostname }) as string;
}

describe('route these hosts through downspin', () => {
  it('reads hosts as names only, lower case, from a pasted origin too', () => {
    expect(parseForwardHost(' API.Staging.example.com ')).toEqual({ ok: true, value: 'api.staging.example.com' });
    expect(parseForwardHost('https://app.downspin.test/')).toEqual({ ok: true, value: 'app.downspin.test' });
    for (const bad of ['', 'api.example.com:8443', '*.example.com', 'api.example.com/path', 'a b', "x';alert(1)"]) expect(parseForwardHost(bad).ok, bad).toBe(false);
  });

  it('reads the proxy address as host:port', () => {
    expect(parseProxyAddress('http://127.0.0.1:8080/')).toEqual({ ok: true, value: '127.0.0.1:8080' });
    expect(parseProxyAddress('Localhost:9000')).toEqual({ ok: true, value: 'localhost:9000' });
    for (const bad of ['127.0.0.1', '127.0.0.1:0', 'host:70000', 'https://p:1', 'a;b:1']) expect(parseProxyAddress(bad).ok, bad).toBe(false);
  });

  it("Chrome's PAC script sends exactly the listed hosts to the proxy, any other host direct", () => {
    const pac = buildPacScript(['app.downspin.test', 'api.downspin.test'], '127.0.0.1:8080');
    expect(runPac(pac, 'https://app.downspin.test/')).toBe('PROXY 127.0.0.1:8080');
    expect(runPac(pac, 'https://API.downspin.test/v1/items?x=1')).toBe('PROXY 127.0.0.1:8080');
    expect(runPac(pac, 'wss://api.downspin.test/live')).toBe('PROXY 127.0.0.1:8080');
    for (const url of ['https://cdn.downspin.test/', 'https://app.downspin.test.evil.example/', 'https://xapp.downspin.test/', 'http://127.0.0.1:8081/']) {
      expect(runPac(pac, url), url).toBe('DIRECT');
    }
    expect(runPac(buildPacScript([], '127.0.0.1:8080'), 'https://app.downspin.test/')).toBe('DIRECT');
  });

  it("Firefox's proxy.onRequest answer: the proxy for a listed host, direct otherwise", () => {
    const hosts = ['api.downspin.test'];
    expect(firefoxProxyFor('https://api.downspin.test/v1', hosts, '127.0.0.1:8080')).toEqual({ type: 'http', host: '127.0.0.1', port: 8080 });
    expect(firefoxProxyFor('https://cdn.downspin.test/', hosts, '127.0.0.1:8080')).toEqual({ type: 'direct' });
    expect(firefoxProxyFor('not a url', hosts, '127.0.0.1:8080')).toEqual({ type: 'direct' });
    expect(firefoxProxyFor('https://api.downspin.test/', hosts, '[::1]:8080')).toEqual({ type: 'http', host: '::1', port: 8080 });
  });

  it('tags the listed hosts with the session and asks for their host permissions, nothing wider', () => {
    const settings = SettingsSchema.parse({ proxyOrigins: ['http://127.0.0.1:8080'], controlUrl: 'http://127.0.0.1:8081', forwardHosts: ['api.downspin.test', 'API.downspin.test'] });
    expect(settings.forwardHosts).toEqual(['api.downspin.test']);
    expect(taggedOrigins(settings)).toEqual(['http://127.0.0.1:8080', 'https://api.downspin.test', 'http://api.downspin.test']);
    expect(neededPermissions(taggedOrigins(settings), settings.controlUrl)).toEqual([
      'http://127.0.0.1/*',
      'ws://127.0.0.1/*',
      'https://api.downspin.test/*',
      'wss://api.downspin.test/*',
      'http://api.downspin.test/*',
      'ws://api.downspin.test/*',
    ]);
    expect(forwardUrlPatterns(['api.downspin.test'])).toEqual(['https://api.downspin.test/*', 'http://api.downspin.test/*', 'wss://api.downspin.test/*', 'ws://api.downspin.test/*']);
  });

  it('names a bad host by its line', () => {
    const result = SettingsSchema.safeParse({ proxyOrigins: ['http://ok:1'], controlUrl: 'http://c:2', forwardHosts: ['ok.test', '*.bad.test'], forwardProxy: 'nope' });
    const issues = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toEqual([expect.stringMatching(/^forwardHosts\.1: "\*\.bad\.test" is not a host name/), expect.stringMatching(/^forwardProxy: "nope" is not a proxy address/)]);
  });

  it("knows a certificate error from either browser from other failures", () => {
    for (const error of ['net::ERR_CERT_AUTHORITY_INVALID', 'net::ERR_CERT_COMMON_NAME_INVALID', 'SEC_ERROR_UNKNOWN_ISSUER', 'MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT']) expect(isCertificateError(error), error).toBe(true);
    for (const error of ['net::ERR_CONNECTION_REFUSED', 'net::ERR_TUNNEL_CONNECTION_FAILED', 'net::ERR_ABORTED', 'NS_ERROR_NET_RESET']) expect(isCertificateError(error), error).toBe(false);
  });
});
