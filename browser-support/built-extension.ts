import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSION = fileURLToPath(new URL('../extension/', import.meta.url));
export const CHROME_BUILD = path.join(EXTENSION, 'build/chrome-mv3-prod');
export const FIREFOX_BUILD = path.join(EXTENSION, 'build/firefox-mv3-prod');

function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(latest, newest(full));
    return entry.name.includes('.test.') ? latest : Math.max(latest, statSync(full).mtimeMs);
  }, 0);
}

type Target = 'chrome' | 'firefox';
const BUILDS: Record<Target, string> = { chrome: CHROME_BUILD, firefox: FIREFOX_BUILD };

/**
 * An unpacked build of the extension for the tests to load. Built here when it
 * is missing or older than the sources, so the tests never run an old extension.
 */
function builtExtension(target: Target): string {
  const build = BUILDS[target];
  const manifest = path.join(build, 'manifest.json');
  const sources = Math.max(newest(path.join(EXTENSION, 'src')), statSync(path.join(EXTENSION, 'package.json')).mtimeMs);
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < sources) {
    execFileSync('npm', ['run', 'build:protocol'], { cwd: EXTENSION, stdio: 'inherit' });
    execFileSync('npm', ['run', `build:${target}`], { cwd: EXTENSION, stdio: 'inherit' });
  }
  return build;
}

/** The unpacked Chrome build (rebuilt when older than the sources). */
export const builtChromeExtension = (): string => builtExtension('chrome');
/** The unpacked Firefox build (rebuilt when older than the sources). */
export const builtFirefoxExtension = (): string => builtExtension('firefox');
