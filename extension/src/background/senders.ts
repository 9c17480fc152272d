import browser, { type Runtime } from 'webextension-polyfill';

/** True for the extension's own pages (popup, options), not content scripts in web pages. */
export function fromExtensionPage(sender: Runtime.MessageSender | chrome.runtime.MessageSender | undefined): boolean {
  return sender?.id === browser.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(browser.runtime.getURL(''));
}

/** The page URL of a content script's message, if it came from one of ours. */
export function contentScriptUrl(sender: Runtime.MessageSender | chrome.runtime.MessageSender | undefined): string | undefined {
  if (sender?.id !== browser.runtime.id || fromExtensionPage(sender)) return undefined;
  return sender.url ?? sender.tab?.url;
}
