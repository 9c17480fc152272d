/**
 * What a built manifest of this extension may ask for. The check runs in CI
 * on the real builds (`manifest.test.ts`): a new permission or a remote
 * script source fails it until this list (and the README) are changed on
 * purpose.
 */
export const ALLOWED = {
  /**
   * `proxy`: routes the hosts listed under "Route these hosts through
   * downspin" (a PAC script on Chrome, proxy.onRequest on Firefox) and no
   * others. `webRequest` (observe only, no blocking): tells the popup when
   * those hosts fail on downspin's certificate.
   */
  permissions: ['storage', 'declarativeNetRequest', 'scripting', 'proxy', 'webRequest'],
  /**
   * Granted at install: the `downspin start` defaults on this machine. The
   * ws:// ones let the header reach WebSocket handshakes (Chrome checks host
   * permissions against the ws:// URL itself).
   */
  hostPermissions: ['http://localhost/*', 'http://127.0.0.1/*', 'ws://localhost/*', 'ws://127.0.0.1/*'],
  /** Requested at run time from the options page for other proxy or control origins. */
  optionalHostPermissions: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'],
} as const;

/** CSP directives that say where scripts may come from. */
const SCRIPT_DIRECTIVES = new Set(['script-src', 'script-src-elem', 'script-src-attr', 'default-src', 'worker-src', 'object-src']);

type Json = Record<string, unknown>;

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * Problems with a manifest, in words; empty when it is fine: MV3 with a
 * name, permissions only from the allow-list, no static content scripts or
 * pages exposed to the web, and a CSP (if any) without remote or eval'd
 * script sources.
 */
export function checkManifest(manifest: Json): string[] {
  const problems: string[] = [];
  if (manifest.manifest_version !== 3) problems.push(`manifest_version is ${String(manifest.manifest_version)}, not 3`);
  if (typeof manifest.name !== 'string' || manifest.name.trim() === '') problems.push('the manifest has no name (Chrome silently refuses to load it)');

  const notAllowed = (key: string, allowed: readonly string[]): void => {
    if (manifest[key] !== undefined && !Array.isArray(manifest[key])) problems.push(`${key} is not a list`);
    for (const entry of strings(manifest[key])) if (!allowed.includes(entry)) problems.push(`${key} has "${entry}", which is not on the allow-list`);
  };
  notAllowed('permissions', ALLOWED.permissions);
  notAllowed('host_permissions', ALLOWED.hostPermissions);
  notAllowed('optional_host_permissions', ALLOWED.optionalHostPermissions);
  notAllowed('optional_permissions', []);

  if (manifest.content_scripts !== undefined) problems.push('static content_scripts: the page script is registered at run time for the configured origins only');
  if (manifest.externally_connectable !== undefined) problems.push('externally_connectable lets web pages message the extension');
  if (manifest.web_accessible_resources !== undefined) problems.push('web_accessible_resources exposes extension files to web pages');

  const csp = manifest.content_security_policy;
  if (typeof csp === 'string') problems.push('content_security_policy must be an object in MV3');
  else if (csp !== undefined && csp !== null && typeof csp === 'object') {
    for (const [context, policy] of Object.entries(csp as Json)) {
      if (typeof policy !== 'string') continue;
      for (const problem of checkCsp(policy)) problems.push(`content_security_policy.${context}: ${problem}`);
    }
  }
  return problems;
}

/** Remote hosts, wildcards, data:/blob: and eval in the script-source directives of a CSP. */
export function checkCsp(policy: string): string[] {
  const problems: string[] = [];
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name === undefined || !SCRIPT_DIRECTIVES.has(name.toLowerCase())) continue;
    for (const source of sources) {
      const s = source.toLowerCase();
      if (/^(https?|wss?|ftp):/.test(s) || s.includes('://') || s === '*' || s.startsWith('*.') || /^[a-z0-9.-]+\.[a-z]{2,}/.test(s)) {
        problems.push(`${name} allows the remote source ${source}`);
      } else if (s === 'data:' || s === 'blob:' || s === "'unsafe-eval'" || s === "'unsafe-inline'") {
        problems.push(`${name} allows ${source}`);
      }
    }
  }
  return problems;
}

/** Script tags with a remote src (`http://`, `https://` or protocol-relative `//`) in an HTML page. */
export function remoteScriptTags(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi)].map((match) => match[1] ?? '');
}

/** Code loaded from the network in a script: `importScripts("https://…")` or `import("https://…")`. */
export function remoteCodeLoads(js: string): string[] {
  return [...js.matchAll(/\b(?:importScripts|import)\s*\(\s*["'`]((?:https?:)?\/\/[^"'`]+)/g)].map((match) => match[1] ?? '');
}
