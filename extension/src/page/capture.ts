import type { ClientEvent } from '@downspin/protocol';
import { withoutQuery } from '../shared/origins.js';
import { Batcher } from './batcher.js';
import { describeClickTarget } from './click-target.js';

export interface CaptureOptions {
  window: Window;
  batchSize: number;
  flushIntervalMs: number;
  send: (events: ClientEvent[]) => void;
  /** How often the URL is compared when the Navigation API is missing. Default 1000 ms. */
  urlPollMs?: number;
}

export interface Capture {
  configure(batchSize: number, flushIntervalMs: number): void;
  /** Stops listening; what is still waiting is thrown away. */
  stop(): void;
}

/**
 * Client event capture in a page (only ever started after consent and the
 * capture switch): page_view, navigation timing, clicks (a short target
 * description, never input values), in-page navigations (SPA history
 * changes too) and unload with time on page. URLs lose their query and
 * fragment. Events go out in batches.
 */
export function startCapture(options: CaptureOptions): Capture {
  const win = options.window;
  const doc = win.document;
  const startedAt = win.performance.now();
  const batcher = new Batcher<ClientEvent>({ batchSize: options.batchSize, flushIntervalMs: options.flushIntervalMs, send: options.send });
  const cleanups: (() => void)[] = [];
  const listen = <K extends keyof WindowEventMap>(target: Window | Document, type: K, handler: (event: WindowEventMap[K]) => void, capture = false): void => {
    target.addEventListener(type, handler as EventListener, { capture, passive: true });
    cleanups.push(() => target.removeEventListener(type, handler as EventListener, { capture }));
  };
  const now = (): number => Date.now();
  let lastUrl = withoutQuery(win.location.href);

  const referrer = withoutQuery(doc.referrer);
  batcher.add({
    type: 'page_view',
    ts: now(),
    url: lastUrl,
    ...(doc.title ? { title: doc.title.slice(0, 512) } : {}),
    ...(referrer ? { referrer } : {}),
  });

  const timing = (): void => {
    const [entry] = win.performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    if (entry === undefined) return;
    const ms = (value: number): number | undefined => (value > 0 ? Math.round(value) : undefined);
    const event: ClientEvent = { type: 'timing', ts: now(), url: lastUrl };
    const ttfbMs = ms(entry.responseStart);
    const domContentLoadedMs = ms(entry.domContentLoadedEventEnd);
    const loadMs = ms(entry.loadEventEnd);
    if (ttfbMs !== undefined) event.ttfbMs = ttfbMs;
    if (domContentLoadedMs !== undefined) event.domContentLoadedMs = domContentLoadedMs;
    if (loadMs !== undefined) event.loadMs = loadMs;
    if (entry.transferSize > 0) event.transferBytes = Math.round(entry.transferSize);
    batcher.add(event);
  };
  // loadEventEnd is only set once the load handlers returned.
  if (doc.readyState === 'complete') setTimeout(timing, 0);
  else listen(win, 'load', () => setTimeout(timing, 0));

  listen(
    doc,
    'click',
    (event) => {
      if (!(event.target instanceof Element)) return;
      batcher.add({ type: 'click', ts: now(), url: lastUrl, ...describeClickTarget(event.target) });
    },
    true,
  );

  const urlChanged = (): void => {
    const url = withoutQuery(win.location.href);
    if (url === lastUrl) return;
    batcher.add({ type: 'navigation', ts: now(), url, from: lastUrl });
    lastUrl = url;
  };
  const navigation = (win as Window & { navigation?: EventTarget }).navigation;
  if (navigation !== undefined) {
    navigation.addEventListener('currententrychange', urlChanged);
    cleanups.push(() => navigation.removeEventListener('currententrychange', urlChanged));
  } else {
    // Without the Navigation API an isolated content script cannot see pushState; compare the URL now and then.
    listen(win, 'popstate', urlChanged);
    listen(win, 'hashchange', urlChanged);
    const poll = setInterval(urlChanged, options.urlPollMs ?? 1000);
    cleanups.push(() => clearInterval(poll));
  }

  listen(win, 'pagehide', () => {
    batcher.add({ type: 'unload', ts: now(), url: lastUrl, timeOnPageMs: Math.max(0, Math.round(win.performance.now() - startedAt)) });
    batcher.flush();
  });

  return {
    configure: (batchSize, flushIntervalMs) => batcher.configure(batchSize, flushIntervalMs),
    stop() {
      for (const cleanup of cleanups.splice(0)) cleanup();
      batcher.discard();
    },
  };
}
