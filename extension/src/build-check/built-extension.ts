import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkManifest, remoteCodeLoads, remoteScriptTags } from './manifest-policy.js';

/** The builds `npm run build -w extension` makes. */
export const BUILD_TARGETS = ['chrome-mv3-prod', 'firefox-mv3-prod'] as const;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/**
 * Problems with one built extension folder: its manifest (see
 * `checkManifest`), scripts the manifest names that are missing, and any
 * remote script tag or remote code load in its pages and scripts.
 */
export function checkBuiltExtension(dir: string): string[] {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return [`${manifestPath} is missing: run npm run build -w extension first`];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  const problems = checkManifest(manifest);

  const background = (manifest.background ?? {}) as { service_worker?: unknown; scripts?: unknown };
  const named = [background.service_worker, ...(Array.isArray(background.scripts) ? background.scripts : [])].filter((f): f is string => typeof f === 'string');
  if (named.length === 0) problems.push('no background script');
  for (const file of named) {
    if (/^(https?:)?\/\//.test(file) || !existsSync(path.join(dir, file))) problems.push(`background script ${file} is not a file of the build`);
  }

  for (const file of files(dir)) {
    const relative = path.relative(dir, file);
    if (file.endsWith('.html')) for (const src of remoteScriptTags(readFileSync(file, 'utf8'))) problems.push(`${relative} loads a remote script ${src}`);
    if (file.endsWith('.js')) for (const src of remoteCodeLoads(readFileSync(file, 'utf8'))) problems.push(`${relative} loads remote code ${src}`);
  }
  return problems;
}
