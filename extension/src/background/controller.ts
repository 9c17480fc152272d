import { newSessionId, sessionHash, type Mode, type NotifyType } from '@downspin/protocol';
import browser from 'webextension-polyfill';
import { COMMAND_HANDLERS } from '../commands/handlers/index.js';
import { createDispatcher } from '../commands/dispatcher.js';
import type { CommandContext } from '../commands/types.js';
import type { PageConfig } from '../shared/messages.js';
import { clientChannelUrl, isOnOrigins } from '../shared/origins.js';
import { STORAGE_KEYS } from '../shared/storage-keys.js';
import {
  settingsOrDefaults,
  StoredSessionSchema,
  StoredTerminationSchema,
  type Settings,
  type StoredSession,
  type StoredTermination,
} from '../shared/settings.js';
import type { ExtensionState } from '../shared/state.js';
import { CommandChannel, type ChannelStatus } from './channel.js';
import { ForwardProxy } from './forward-proxy.js';
import { deliverEvents } from './events-outbox.js';
import { registerPageScript, tellPages, unregisterPageScript } from './page-scripts.js';
import { missingPermissions } from './permissions.js';
import { buildSessionRules, replaceSessionRules } from './session-rules.js';
import { INITIAL_STATE, StateStore } from './state-store.js';

const BROWSER = navigator.userAgent.includes('Firefox') ? 'firefox' : 'chrome';
const DEFAULT_TERMINATE_REASON = 'Your downspin session was ended by an operator.';

/**
 * The background's one owner of consent, the session id, the header rules,
 * the content script registration and the command channel. Lifecycle changes
 * run one at a time (`serial`), so a click on Revoke cannot interleave with
 * a settings change. It is also what server commands may do
 * (`CommandContext`): the handlers call it directly.
 */
export class Controller implements CommandContext {
  readonly state = new StateStore();
  settings: Settings = settingsOrDefaults(undefined);
  session: StoredSession | null = null;
  private capture = false;
  private termination: StoredTermination | null = null;
  private channel: CommandChannel | null = null;
  private lastVersion = -1;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly forward = new ForwardProxy((untrustedCa) => {
    if (untrustedCa !== this.state.get().untrustedCa) this.state.update({ untrustedCa });
  }, browser);
  private readonly dispatch = createDispatcher({
    handlers: COMMAND_HANDLERS,
    context: this,
    onOutcome: (outcome, detail) => {
      this.state.count(outcome === 'handled' ? 'handled' : outcome);
      if (outcome === 'failed') console.warn('downspin: a command handler failed', detail.type, detail.error);
    },
  });

  /** Loads what is stored; with consent, puts the header rules, content script and channel back. */
  start(): Promise<ExtensionState> {
    return this.serial(async () => {
      await this.state.restore();
      const stored = await browser.storage.local.get(Object.values(STORAGE_KEYS));
      this.settings = settingsOrDefaults(stored[STORAGE_KEYS.settings]);
      const session = StoredSessionSchema.safeParse(stored[STORAGE_KEYS.session]);
      this.session = session.success ? session.data : null;
      this.capture = this.session !== null && stored[STORAGE_KEYS.capture] === true;
      const termination = StoredTerminationSchema.safeParse(stored[STORAGE_KEYS.terminated]);
      this.termination = this.session !== null && termination.success ? termination.data : null;
      this.state.update({ settings: this.settings, capture: this.capture, missingPermissions: await missingPermissions(this.settings) });
      if (this.session !== null) await this.activate();
      return this.state.get();
    });
  }

  /** Consent given in the popup: a new session id, then everything starts. */
  consent(): Promise<ExtensionState> {
    return this.serial(async () => {
      if (this.session !== null && this.termination === null) return this.state.get();
      if (this.session !== null) await this.deactivate();
      this.session = { id: newSessionId(), consentAt: Date.now() };
      this.termination = null;
      this.capture = false;
      await browser.storage.local.set({ [STORAGE_KEYS.session]: this.session, [STORAGE_KEYS.capture]: false });
      await browser.storage.local.remove(STORAGE_KEYS.terminated);
      await this.activate();
      return this.state.get();
    });
  }

  /** Consent revoked: header, content script and channel stop; the id is forgotten. */
  revoke(): Promise<ExtensionState> {
    return this.serial(async () => {
      // Tell the server first, so it stops keeping anything for this session.
      this.channel?.send({ type: 'revoke' });
      await this.deactivate();
      this.session = null;
      this.termination = null;
      this.capture = false;
      await browser.storage.local.remove([STORAGE_KEYS.session, STORAGE_KEYS.capture, STORAGE_KEYS.terminated]);
      return this.state.update({ ...INITIAL_STATE, settings: this.settings, missingPermissions: this.state.get().missingPermissions, diagnostics: this.state.get().diagnostics });
    });
  }

  /** The event capture switch (only with consent). */
  setCapture(enabled: boolean): Promise<ExtensionState> {
    return this.serial(async () => {
      if (this.session === null) return this.state.get();
      this.capture = enabled;
      await browser.storage.local.set({ [STORAGE_KEYS.capture]: enabled });
      this.state.update({ capture: enabled });
      await tellPages(this.settings.proxyOrigins, {
        downspin: 'capture',
        enabled,
        batchSize: this.settings.batchSize,
        flushIntervalMs: this.settings.flushIntervalMs,
      });
      return this.state.get();
    });
  }

  /** New settings from the options page: rules and content script follow, the channel moves if its URL changed. */
  settingsChanged(raw: unknown): Promise<ExtensionState> {
    return this.serial(async () => {
      const before = this.settings;
      this.settings = settingsOrDefaults(raw);
      this.state.update({ settings: this.settings, missingPermissions: await missingPermissions(this.settings) });
      if (this.session === null) return this.state.get();
      if (before.controlUrl !== this.settings.controlUrl) this.stopChannel();
      await this.activate();
      return this.state.get();
    });
  }

  /** What the content script of a page at `url` should do. */
  pageConfig(url: string | undefined): PageConfig {
    if (this.session === null || url === undefined || !isOnOrigins(url, this.settings.proxyOrigins)) return { active: false };
    return {
      active: true,
      capture: this.capture,
      batchSize: this.settings.batchSize,
      flushIntervalMs: this.settings.flushIntervalMs,
      terminated: this.termination?.reason ?? null,
    };
  }

  /** Events from a content script: only with consent and capture on, and only from a proxy origin. */
  async clientEvents(events: unknown, url: string | undefined): Promise<number> {
    const session = this.session;
    const batch = Array.isArray(events) ? (events as unknown[]) : [];
    if (session === null || !this.capture || url === undefined || !isOnOrigins(url, this.settings.proxyOrigins)) {
      if (batch.length > 0) this.state.count('eventsDropped', batch.length);
      return 0;
    }
    return deliverEvents(batch, { sessionId: session.id, controlUrl: this.settings.controlUrl }, {
      send: (message) => this.channel?.send(message) ?? false,
      fetch: (input, init) => fetch(input, init),
      count: (counter, by) => this.state.count(counter, by),
    });
  }

  /** The server accepted the hello: the session's hash and current shaping. */
  welcomed(info: { sessionHash: string; mode: Mode; shaping: string }): void {
    if (this.channel?.welcomed()) this.state.count('reconnects');
    this.lastVersion = -1;
    this.state.update({ lastError: null, mode: info.mode, shaping: info.shaping, sessionHash: info.sessionHash });
  }

  /** A `mode` from the server; versions only grow, an older one is ignored. */
  modeChanged(info: { mode: Mode; shaping: string; version: number }): void {
    if (info.version < this.lastVersion) return;
    this.lastVersion = info.version;
    this.state.update({ mode: info.mode, shaping: info.shaping });
  }

  /** A `notify` from the server: a toast (text only) in the proxied pages. */
  async showToast(toast: { id: string; message: string; level: NotifyType }): Promise<void> {
    await tellPages(this.settings.proxyOrigins, { downspin: 'toast', ...toast });
  }

  /** The session was terminated: remembered, shown, and the channel stops for good. */
  async terminated(reason: string): Promise<void> {
    if (this.session === null) return;
    this.termination = { reason: reason.trim() === '' ? DEFAULT_TERMINATE_REASON : reason, at: Date.now() };
    this.channel?.terminate();
    this.channel = null;
    this.state.update({ connection: 'terminated', mode: 'terminated', retryAt: null, terminated: this.termination });
    await browser.storage.local.set({ [STORAGE_KEYS.terminated]: this.termination });
    await tellPages(this.settings.proxyOrigins, { downspin: 'terminated', reason: this.termination.reason });
  }

  private async activate(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    this.state.update({
      consent: true,
      sessionHash: await sessionHash(session.id),
      capture: this.capture,
      terminated: this.termination,
      lastError: null,
    });
    await this.attempt('set the session header', () => replaceSessionRules(browser.declarativeNetRequest, buildSessionRules(session.id, this.settings.proxyOrigins, BROWSER, this.settings.forwardHosts)));
    await this.attempt('add the page script', () => registerPageScript(this.settings.proxyOrigins));
    await this.attempt('route the hosts through downspin', () => this.forward.apply({ hosts: this.settings.forwardHosts, proxy: this.settings.forwardProxy }));
    if (this.termination !== null) {
      this.state.update({ connection: 'terminated', mode: 'terminated', retryAt: null });
      return;
    }
    this.startChannel(session.id);
  }

  private async deactivate(): Promise<void> {
    this.stopChannel();
    await this.attempt('remove the session header', () => replaceSessionRules(browser.declarativeNetRequest, []));
    await this.attempt('remove the page script', () => unregisterPageScript());
    await this.attempt('stop routing hosts through downspin', () => this.forward.apply(null));
    await tellPages(this.settings.proxyOrigins, { downspin: 'stop' }).catch(() => 0);
  }

  private startChannel(sessionId: string): void {
    if (this.channel !== null) return;
    const channel = new CommandChannel({
      url: clientChannelUrl(this.settings.controlUrl),
      hello: { type: 'hello', sessionId, consent: true, extensionVersion: browser.runtime.getManifest().version.slice(0, 32) },
      createSocket: (url) => new WebSocket(url),
      onMessage: (data) => {
        this.state.count('received');
        void this.dispatch(data);
      },
      onStatus: (status) => this.channelStatus(channel, status),
      // Firefox suspends an idle event page after 30 s and does not count WebSocket traffic (Chrome
      // 116+ does for its worker): it counts calls into extension APIs, so each keepalive makes one.
      onKeepalive: () => void browser.runtime.getPlatformInfo().catch(() => undefined),
    });
    this.channel = channel;
    this.lastVersion = -1;
    channel.start();
  }

  private stopChannel(): void {
    this.channel?.stop();
    this.channel = null;
  }

  private channelStatus(channel: CommandChannel, status: ChannelStatus): void {
    if (this.channel !== channel) return;
    switch (status.state) {
      case 'open':
      case 'connecting':
        this.state.update({ connection: status.state === 'open' ? 'open' : 'connecting', retryAt: null });
        return;
      case 'waiting':
        this.state.count('retries');
        this.state.update({ connection: 'waiting', retryAt: status.retryAt });
        return;
      case 'terminated':
        // Closed 4403 without a terminate message first (e.g. it was lost): still terminated.
        void this.terminated(this.termination?.reason ?? DEFAULT_TERMINATE_REASON);
        return;
      case 'stopped':
        return;
    }
  }

  private async attempt(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      console.warn(`downspin: could not ${what}:`, detail);
      this.state.update({ lastError: `Could not ${what}: ${detail}` });
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
