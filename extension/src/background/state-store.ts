import browser from 'webextension-polyfill';
import { DEFAULT_SETTINGS } from '../shared/settings.js';
import { STATE_KEY } from '../shared/storage-keys.js';
import { EMPTY_DIAGNOSTICS, type Diagnostics, type ExtensionState } from '../shared/state.js';
import { badgeFor, type Badge } from './badge.js';

export const INITIAL_STATE: ExtensionState = {
  consent: false,
  sessionHash: null,
  mode: null,
  shaping: '',
  connection: 'off',
  retryAt: null,
  terminated: null,
  capture: false,
  settings: DEFAULT_SETTINGS,
  missingPermissions: [],
  diagnostics: EMPTY_DIAGNOSTICS,
  untrustedCa: null,
  lastError: null,
};

/**
 * The background's state: kept in memory, mirrored to `storage.session` (the
 * popup reads and watches it there; it also outlives a service worker
 * restart within the browser session) and shown on the badge.
 */
export class StateStore {
  private current: ExtensionState = INITIAL_STATE;
  private shownBadge: Badge | undefined;

  /** Takes the counters of the previous service worker of this browser session, if any. */
  async restore(): Promise<void> {
    const stored = (await browser.storage.session.get(STATE_KEY).catch((): Record<string, unknown> => ({})))[STATE_KEY] as Partial<ExtensionState> | undefined;
    const diagnostics = stored?.diagnostics;
    if (diagnostics !== undefined && typeof diagnostics === 'object') {
      this.current = { ...this.current, diagnostics: { ...EMPTY_DIAGNOSTICS, ...pickCounts(diagnostics) } };
    }
  }

  get(): ExtensionState {
    return this.current;
  }

  update(patch: Partial<ExtensionState>): ExtensionState {
    this.current = { ...this.current, ...patch };
    this.publish();
    return this.current;
  }

  count(counter: keyof Diagnostics, by = 1): void {
    this.update({ diagnostics: { ...this.current.diagnostics, [counter]: this.current.diagnostics[counter] + by } });
  }

  private publish(): void {
    // Each write is also an extension API call, which keeps an MV3 worker that is busy reconnecting alive.
    browser.storage.session.set({ [STATE_KEY]: this.current }).catch(() => undefined);
    const badge = badgeFor(this.current);
    if (this.shownBadge?.text === badge.text && this.shownBadge.color === badge.color && this.shownBadge.title === badge.title) return;
    this.shownBadge = badge;
    void Promise.all([
      browser.action.setBadgeText({ text: badge.text }),
      browser.action.setBadgeBackgroundColor({ color: badge.color }),
      browser.action.setTitle({ title: badge.title }),
    ]).catch(() => undefined);
  }
}

function pickCounts(value: object): Partial<Diagnostics> {
  const out: Partial<Diagnostics> = {};
  for (const key of Object.keys(EMPTY_DIAGNOSTICS) as (keyof Diagnostics)[]) {
    const n = (value as Record<string, unknown>)[key];
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0) out[key] = n;
  }
  return out;
}
