import browser from 'webextension-polyfill';
import { STORAGE_KEYS } from '../shared/storage-keys.js';
import { controller, ready } from './instance.js';

// Listeners are added synchronously at the top level, as MV3 requires, so the
// events that wake a stopped worker find them. The controller's start (in
// instance.ts) puts rules, content script and channel back on every wake-up.
browser.runtime.onStartup.addListener(() => undefined);
browser.runtime.onInstalled.addListener(() => undefined);

browser.storage.onChanged.addListener((changes, area) => {
  const settings = changes[STORAGE_KEYS.settings];
  if (area !== 'local' || settings === undefined) return;
  void ready.then(() => controller.settingsChanged(settings.newValue));
});

// A permission granted (or taken away) in the browser's own UI changes what works.
const permissionsChanged = (): void => {
  void ready.then(() => controller.settingsChanged(controller.settings));
};
browser.permissions.onAdded.addListener(permissionsChanged);
browser.permissions.onRemoved.addListener(permissionsChanged);
