import browser from 'webextension-polyfill';
import type { PageMessage } from '../shared/page-messages.js';
import { contentMatchPattern, isOnOrigins } from '../shared/origins.js';
// Bundled by Plasmo as its own classic script; registered at run time, for the configured origins only.
import pageScriptUrl from 'url:../page/index.ts';

const SCRIPT_ID = 'downspin-page';

/** Chrome puts ports in match patterns; Firefox refuses them (the script checks its origin itself). */
const PORTS_IN_PATTERNS = !navigator.userAgent.includes('Firefox');

/** The content script's path inside the extension, as `scripting` wants it. */
export function pageScriptPath(): string {
  return new URL(pageScriptUrl, self.location.href).pathname.replace(/^\/+/, '');
}

export function pagePatterns(origins: readonly string[]): string[] {
  return [...new Set(origins.map((origin) => contentMatchPattern(origin, PORTS_IN_PATTERNS)))];
}

/**
 * Registers the content script (toasts, the terminate notice, event capture)
 * for the proxy origins, replacing an earlier registration, and runs it in
 * tabs already open on them.
 */
export async function registerPageScript(origins: readonly string[]): Promise<void> {
  await unregisterPageScript();
  const file = pageScriptPath();
  await browser.scripting.registerContentScripts([
    { id: SCRIPT_ID, js: [file], matches: pagePatterns(origins), runAt: 'document_idle', allFrames: false, persistAcrossSessions: false },
  ]);
  for (const tab of await tabsOn(origins)) {
    if (tab.id === undefined) continue;
    // A tab may be discarded or mid-navigation: the next load gets the registered script anyway.
    await browser.scripting.executeScript({ target: { tabId: tab.id }, files: [file] }).catch(() => undefined);
  }
}

export async function unregisterPageScript(): Promise<void> {
  const registered = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] }).catch(() => []);
  if (registered.length > 0) await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
}

/** Sends a message to the content script of every tab on the proxy origins; resolves to how many took it. */
export async function tellPages(origins: readonly string[], message: PageMessage): Promise<number> {
  const results = await Promise.all(
    (await tabsOn(origins)).map((tab) =>
      tab.id === undefined
        ? false
        : browser.tabs.sendMessage(tab.id, message).then(
            () => true,
            // No content script in that tab (yet): nothing to tell.
            () => false,
          ),
    ),
  );
  return results.filter(Boolean).length;
}

async function tabsOn(origins: readonly string[]): Promise<browser.Tabs.Tab[]> {
  if (origins.length === 0) return [];
  // Host permissions let the query filter by URL (no "tabs" permission needed); the exact origin is checked here.
  const tabs = await browser.tabs.query({ url: pagePatterns(origins) }).catch(() => []);
  return tabs.filter((tab) => tab.url !== undefined && isOnOrigins(tab.url, origins));
}
