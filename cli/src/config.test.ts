import { describe, expect, it } from 'vitest';
import { ConfigError, readSettings } from './config.js';

describe('readSettings', () => {
  it('takes flags over environment over defaults', () => {
    const settings = readSettings(['port', 'controlPort', 'target'], { port: '9000' }, { PROXY_PORT: '7000', CONTROL_PORT: '7001', TARGET_URL: 'http://app:3000' });
    expect(settings).toEqual({ port: 9000, controlPort: 7001, target: 'http://app:3000' });
    expect(readSettings(['port', 'dataDir'], {}, {})).toEqual({ port: 8080, dataDir: './.downspin' });
  });

  it('names the flag or variable that is wrong, and every one of them', () => {
    expect(() => readSettings(['port'], { port: 'abc' }, {})).toThrow(/--port="abc": expected a port number/);
    expect(() => readSettings(['port'], {}, { PROXY_PORT: '70000' })).toThrow(/PROXY_PORT="70000": expected a port from 0 to 65535/);
    expect(() => readSettings(['redisUrl', 'target'], {}, { REDIS_URL: 'localhost:6379', TARGET_URL: 'ftp://x' })).toThrow(
      /REDIS_URL="localhost:6379": .*redis.*; TARGET_URL="ftp:\/\/x": expected a http or https URL/,
    );
    expect(() => readSettings(['abuseGuard'], {}, { ABUSE_GUARD: 'maybe' })).toThrow(ConfigError);
  });

  it('never prints the admin key', () => {
    expect(() => readSettings(['adminKey'], {}, { ADMIN_API_KEY: 'short' })).toThrow(/ADMIN_API_KEY=\(hidden\): expected at least 16/);
  });

  it('reads the address guard and the request timeouts, off and 30 s by default', () => {
    expect(readSettings(['addressGuard', 'addressRps', 'headersTimeoutSeconds', 'bodyIdleTimeoutSeconds'], {}, {})).toEqual({
      addressGuard: false,
      addressRps: 50,
      headersTimeoutSeconds: 30,
      bodyIdleTimeoutSeconds: 30,
    });
    expect(readSettings(['addressGuard', 'addressRps'], {}, { ADDRESS_GUARD: 'on', ADDRESS_RPS: '5' })).toEqual({ addressGuard: true, addressRps: 5 });
    expect(() => readSettings(['bodyIdleTimeoutSeconds'], {}, { BODY_IDLE_TIMEOUT_SECONDS: '0' })).toThrow(/BODY_IDLE_TIMEOUT_SECONDS="0": expected a number above 0/);
  });

  it('reads forward mode: host rules and --resolve as comma lists (a repeated flag arrives joined), off by default', () => {
    expect(readSettings(['intercept', 'resolve', 'tunnelUnlisted', 'requireProxyAuth'], {}, {})).toEqual({
      intercept: [],
      resolve: [],
      tunnelUnlisted: false,
      requireProxyAuth: false,
    });
    expect(
      readSettings(['intercept', 'resolve'], { resolve: 'api.test:443:127.0.0.1,www.test:443:[::1]' }, { DOWNSPIN_INTERCEPT: 'staging.example.com, *.staging.example.com' }),
    ).toEqual({ intercept: ['staging.example.com', '*.staging.example.com'], resolve: ['api.test:443:127.0.0.1', 'www.test:443:[::1]'] });
    expect(() => readSettings(['intercept'], { intercept: '*.com' }, {})).toThrow(/--intercept=".*": "\*\.com" would intercept a whole top-level domain/);
    expect(() => readSettings(['intercept'], {}, { DOWNSPIN_INTERCEPT: 'a*.example.com' })).toThrow(/DOWNSPIN_INTERCEPT=.*is not a host rule/);
    expect(() => readSettings(['resolve'], { resolve: 'api.test:443' }, {})).toThrow(/--resolve="api.test:443": "api.test:443" is not host:port:address/);
  });

  it('reads on/off switches', () => {
    expect(readSettings(['abuseGuard', 'insecureTarget'], { insecureTarget: true }, { ABUSE_GUARD: 'off' })).toEqual({
      abuseGuard: false,
      insecureTarget: true,
    });
  });

  it('reads SESSION_IDLE_MINUTES: 60 by default, 0 keeps sessions, a bad value names the variable', () => {
    expect(readSettings(['sessionIdleMinutes'], {}, {})).toEqual({ sessionIdleMinutes: 60 });
    expect(readSettings(['sessionIdleMinutes'], {}, { SESSION_IDLE_MINUTES: '0' })).toEqual({ sessionIdleMinutes: 0 });
    expect(() => readSettings(['sessionIdleMinutes'], {}, { SESSION_IDLE_MINUTES: '-5' })).toThrow(/SESSION_IDLE_MINUTES/);
  });
});
