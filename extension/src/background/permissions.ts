import browser from 'webextension-polyfill';
import { neededPermissions } from '../shared/origins.js';
import { taggedOrigins, type Settings } from '../shared/settings.js';

/** The host permission patterns the settings need and the user has not granted. */
export async function missingPermissions(settings: Settings): Promise<string[]> {
  const missing: string[] = [];
  for (const origin of neededPermissions(taggedOrigins(settings), settings.controlUrl)) {
    const granted = await browser.permissions.contains({ origins: [origin] }).catch(() => false);
    if (!granted) missing.push(origin);
  }
  return missing;
}
