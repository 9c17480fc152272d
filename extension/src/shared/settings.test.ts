import { describe, expect, it } from 'vitest';
import { ALLOWED } from '../build-check/manifest-policy.js';
import { isOnOrigins, neededPermissions } from './origins.js';
import { DEFAULT_SETTINGS, SettingsSchema, settingsOrDefaults } from './settings.js';

describe('settings', () => {
  it('default to the downspin start ports, as it prints them and as localhost, and batches of 10 every 2 s', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      proxyOrigins: ['http://127.0.0.1:8080', 'http://localhost:8080'],
      controlUrl: 'http://127.0.0.1:8081',
      forwardHosts: [],
      forwardProxy: '127.0.0.1:8080',
      batchSize: 10,
      flushIntervalMs: 2000,
    });
    // Both spellings a user opens are tagged with the defaults; another port is not.
    for (const href of ['http://127.0.0.1:8080/', 'http://localhost:8080/cart?x=1']) expect(isOnOrigins(href, DEFAULT_SETTINGS.proxyOrigins)).toBe(true);
    expect(isOnOrigins('http://127.0.0.1:3000/', DEFAULT_SETTINGS.proxyOrigins)).toBe(false);
    // The defaults are what the schema keeps (no normalisation would change them).
    expect(SettingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });

  it('default to origins the manifest grants at install, so no permission prompt is needed', () => {
    const granted = new Set(ALLOWED.hostPermissions);
    for (const pattern of neededPermissions(DEFAULT_SETTINGS.proxyOrigins, DEFAULT_SETTINGS.controlUrl)) expect(granted).toContain(pattern);
  });

  it('normalise and de-duplicate several proxy origins, filling defaults', () => {
    const parsed = SettingsSchema.parse({ proxyOrigins: ['http://localhost:8080/', 'HTTP://localhost:8080', 'https://qa.example.com'], controlUrl: 'http://localhost:8081/' });
    expect(parsed).toEqual({ proxyOrigins: ['http://localhost:8080', 'https://qa.example.com'], controlUrl: 'http://localhost:8081', forwardHosts: [], forwardProxy: '127.0.0.1:8080', batchSize: 10, flushIntervalMs: 2000 });
  });

  it('name each bad field', () => {
    const result = SettingsSchema.safeParse({ proxyOrigins: ['http://ok:1', 'nope'], controlUrl: 'ftp://x', batchSize: 0 });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toHaveLength(3);
    expect(issues[0]).toMatch(/^proxyOrigins\.1: "nope" is not a URL/);
    expect(issues[1]).toMatch(/^controlUrl: "ftp:\/\/x" must start with http/);
    expect(issues[2]).toMatch(/^batchSize: /);
    expect(SettingsSchema.safeParse({ proxyOrigins: [], controlUrl: 'http://localhost:8081' }).success).toBe(false);
  });

  it('fall back to the defaults when what is stored is missing or broken', () => {
    expect(settingsOrDefaults(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(settingsOrDefaults({ proxyOrigins: 'http://x' })).toEqual(DEFAULT_SETTINGS);
  });
});
