import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSION = fileURLToPath(new URL('../extension/', import.meta.url));
export const CHROME_BUILD = path.join(EXTENSION, 'build/chrome-mv3-prod');

function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(latest, newest(full));
    return entry.name.includes('.test.') ? latest : Math.max(latest, statSync(full).mtimeMs);
  }, 0);
}

/**
 * The unpacked Chrome build the tests load. Built here when it is missing or
 * older than the sources, so the tests never run an old extension.
 */
export function builtChromeExtension(): string {
  const manifest = path.join(CHROME_BUILD, 'manifest.json');
  const sources = Math.max(newest(path.join(EXTENSION, 'src')), statSync(path.join(EXTENSION, 'package.json')).mtimeMs);
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < sources) {
    execFileSync('npm', ['run', 'build:protocol'], { cwd: EXTENSION, stdio: 'inherit' });
    execFileSync('npm', ['run', 'build:chrome'], { cwd: EXTENSION, stdio: 'inherit' });
  }
  return CHROME_BUILD;
}
