import { useEffect, useState } from 'react';
import browser from 'webextension-polyfill';
import { ask } from '../../shared/messages.js';
import { STATE_KEY } from '../../shared/storage-keys.js';
import type { ExtensionState } from '../../shared/state.js';

/**
 * The background's state, live: asked for once (which also wakes a stopped
 * service worker), then followed in `storage.session`.
 */
export function useExtensionState(): [ExtensionState | null, (state: ExtensionState) => void, string | null] {
  const [state, setState] = useState<ExtensionState | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    ask('get-state', undefined).then(
      (next) => alive && setState(next),
      (failure: unknown) => alive && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    const onChanged = (changes: Record<string, browser.Storage.StorageChange>, area: string): void => {
      const change = changes[STATE_KEY];
      if (area === 'session' && change?.newValue !== undefined) setState(change.newValue as ExtensionState);
    };
    browser.storage.onChanged.addListener(onChanged);
    return () => {
      alive = false;
      browser.storage.onChanged.removeListener(onChanged);
    };
  }, []);
  return [state, setState, error];
}
