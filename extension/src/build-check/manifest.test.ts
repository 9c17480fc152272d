import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILD_TARGETS, checkBuiltExtension } from './built-extension.js';
import { ALLOWED, checkCsp, checkManifest, remoteCodeLoads, remoteScriptTags } from './manifest-policy.js';
import { readFileSync } from 'node:fs';

const BUILD = fileURLToPath(new URL('../../build/', import.meta.url));

const good = {
  manifest_version: 3,
  name: 'downspin',
  version: '0.1.0',
  background: { service_worker: 'static/background/index.js' },
  permissions: [...ALLOWED.permissions],
  host_permissions: [...ALLOWED.hostPermissions],
  optional_host_permissions: [...ALLOWED.optionalHostPermissions],
};

describe('the built extensions (CI check; needs npm run build -w extension)', () => {
  it.each(BUILD_TARGETS)('%s: allowed permissions only, no remote script sources, nothing exposed to pages', (target) => {
    expect(checkBuiltExtension(path.join(BUILD, target))).toEqual([]);
  });

  it.each(BUILD_TARGETS)('%s: asks for exactly the permissions it uses', (target) => {
    const manifest = JSON.parse(readFileSync(path.join(BUILD, target, 'manifest.json'), 'utf8')) as typeof good;
    expect(manifest.name).toBe('downspin');
    expect([...manifest.permissions].sort()).toEqual([...ALLOWED.permissions].sort());
    expect([...manifest.host_permissions].sort()).toEqual([...ALLOWED.hostPermissions].sort());
    expect([...manifest.optional_host_permissions].sort()).toEqual([...ALLOWED.optionalHostPermissions].sort());
  });

  // Firefox's default MV3 policy adds upgrade-insecure-requests, which turns the channel's ws://
  // into wss:// (and POST /events into https://): `downspin start` serves plain http, so it never connected.
  it.each(BUILD_TARGETS)('%s: states its extension pages policy, without upgrade-insecure-requests', (target) => {
    const manifest = JSON.parse(readFileSync(path.join(BUILD, target, 'manifest.json'), 'utf8')) as { content_security_policy?: { extension_pages?: string } };
    expect(manifest.content_security_policy?.extension_pages).toBe("script-src 'self'; object-src 'self'");
  });
});

describe('checkManifest', () => {
  it('passes a manifest within the policy', () => {
    expect(checkManifest(good)).toEqual([]);
  });

  it('names a permission that is not on the allow-list', () => {
    expect(checkManifest({ ...good, permissions: ['storage', 'tabs', 'webRequestBlocking'] })).toEqual([
      'permissions has "tabs", which is not on the allow-list',
      'permissions has "webRequestBlocking", which is not on the allow-list',
    ]);
    expect(checkManifest({ ...good, host_permissions: ['<all_urls>'] })).toEqual(['host_permissions has "<all_urls>", which is not on the allow-list']);
    expect(checkManifest({ ...good, optional_permissions: ['history'] })).toHaveLength(1);
  });

  it('refuses a manifest without a name, and MV2', () => {
    const { name: _name, ...nameless } = good;
    expect(checkManifest(nameless)).toEqual(['the manifest has no name (Chrome silently refuses to load it)']);
    expect(checkManifest({ ...good, manifest_version: 2 })).toEqual(['manifest_version is 2, not 3']);
  });

  it('refuses remote script sources and eval in the CSP', () => {
    const problems = checkManifest({
      ...good,
      content_security_policy: { extension_pages: "script-src 'self' https://cdn.example.com; object-src 'self'", sandbox: "sandbox allow-scripts; script-src 'self' 'unsafe-eval'" },
    });
    expect(problems).toEqual([
      'content_security_policy.extension_pages: script-src allows the remote source https://cdn.example.com',
      "content_security_policy.sandbox: script-src allows 'unsafe-eval'",
    ]);
  });

  it('refuses static content scripts and anything exposed to web pages', () => {
    expect(
      checkManifest({ ...good, content_scripts: [{ matches: ['<all_urls>'], js: ['a.js'] }], externally_connectable: { matches: ['*://*/*'] }, web_accessible_resources: [] }),
    ).toHaveLength(3);
  });
});

describe('checkCsp', () => {
  it("accepts the MV3 default and 'self'-only policies", () => {
    expect(checkCsp("script-src 'self'; object-src 'self'")).toEqual([]);
    expect(checkCsp("script-src 'self' 'wasm-unsafe-eval'; img-src https://anything.example")).toEqual([]);
  });

  it('finds hosts, wildcards and schemes in every script directive', () => {
    expect(checkCsp("default-src *; worker-src blob:; script-src-elem cdn.example.com 'self'; script-src http:")).toEqual([
      'default-src allows the remote source *',
      'worker-src allows blob:',
      'script-src-elem allows the remote source cdn.example.com',
      'script-src allows the remote source http:',
    ]);
  });
});

describe('remote code in built files', () => {
  it('finds remote script tags, protocol-relative ones too, and leaves local ones', () => {
    expect(remoteScriptTags('<script src="/popup.js" defer></script><script src="https://cdn.example/x.js"></script><script src=//cdn.example/y.js></script>')).toEqual([
      'https://cdn.example/x.js',
      '//cdn.example/y.js',
    ]);
  });

  it('finds importScripts and dynamic import of remote URLs', () => {
    expect(remoteCodeLoads('importScripts("https://evil.example/a.js"); import(`//evil.example/b.js`); import("./local.js"); fetch("https://api.example")')).toEqual([
      'https://evil.example/a.js',
      '//evil.example/b.js',
    ]);
  });
});
