import browser from 'webextension-polyfill';
import { ask, type PageConfig } from '../shared/messages.js';
import { asPageMessage } from '../shared/page-messages.js';
import { startCapture, type Capture } from './capture.js';
import { PageOverlay } from './overlay.js';

/**
 * The content script on the proxy origins (registered at run time after
 * consent): toasts, the terminate notice, and event capture when switched
 * on. It asks the background first and does nothing unless this page is on
 * a configured proxy origin of a session with consent.
 */
const RUNNING = Symbol.for('downspin.page');
const scope = globalThis as typeof globalThis & { [RUNNING]?: boolean };

if (scope[RUNNING] !== true) {
  scope[RUNNING] = true;
  void main().catch(() => {
    // The extension was reloaded or removed under this page: nothing to do here any more.
    scope[RUNNING] = false;
  });
}

async function main(): Promise<void> {
  const config: PageConfig = await ask('page-config', undefined);
  if (!config.active) {
    scope[RUNNING] = false;
    return;
  }
  const overlay = new PageOverlay(document);
  if (config.terminated !== null) overlay.notice(config.terminated);

  let capture: Capture | undefined;
  const setCapture = (enabled: boolean, batchSize: number, flushIntervalMs: number): void => {
    if (!enabled) {
      capture?.stop();
      capture = undefined;
    } else if (capture === undefined) {
      capture = startCapture({
        window,
        batchSize,
        flushIntervalMs,
        send: (events) => void ask('client-events', { events }).catch(() => undefined),
      });
    } else {
      capture.configure(batchSize, flushIntervalMs);
    }
  };
  setCapture(config.capture, config.batchSize, config.flushIntervalMs);

  const onMessage = (raw: unknown, sender: browser.Runtime.MessageSender): Promise<boolean> | undefined => {
    if (sender.id !== browser.runtime.id) return undefined;
    const message = asPageMessage(raw);
    if (message === undefined) return undefined;
    switch (message.downspin) {
      case 'toast':
        overlay.toast(message);
        break;
      case 'terminated':
        overlay.notice(message.reason);
        break;
      case 'capture':
        setCapture(message.enabled, message.batchSize, message.flushIntervalMs);
        break;
      case 'stop':
        setCapture(false, 1, 1);
        overlay.clear();
        browser.runtime.onMessage.removeListener(onMessage);
        // A new consent may run this script again in this page.
        scope[RUNNING] = false;
        break;
    }
    return Promise.resolve(true);
  };
  browser.runtime.onMessage.addListener(onMessage);
}
