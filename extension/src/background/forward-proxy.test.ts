import { describe, expect, it, vi } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { UntrustedCa } from '../shared/state.js';
import { ForwardProxy } from './forward-proxy.js';

type Listener = (details: { url: string; error?: string }) => unknown;

/** An event with the listeners (and their URL filters) added to it. */
function fakeEvent() {
  const listeners = new Map<Listener, string[]>();
  return {
    listeners,
    addListener: vi.fn((listener: Listener, filter: { urls: string[] }) => void listeners.set(listener, filter.urls)),
    removeListener: vi.fn((listener: Listener) => void listeners.delete(listener)),
    fire(details: { url: string; error?: string }): unknown[] {
      return [...listeners.keys()].map((listener) => listener(details));
    },
  };
}

function fakeBrowser(withOnRequest: boolean) {
  const api = {
    proxy: withOnRequest ? { onRequest: fakeEvent() } : {},
    webRequest: { onErrorOccurred: fakeEvent(), onCompleted: fakeEvent() },
  };
  return api;
}

function fakeChrome() {
  return { proxy: { settings: { set: vi.fn(async () => undefined), clear: vi.fn(async () => undefined) } } };
}

const routing = { hosts: ['app.downspin.test', 'api.downspin.test'], proxy: '127.0.0.1:8080' };

describe('ForwardProxy', () => {
  it('Chrome: sets one PAC script for the listed hosts, and clears it when nothing is routed', async () => {
    const chrome = fakeChrome();
    const forward = new ForwardProxy(() => undefined, fakeBrowser(false) as unknown as Browser, chrome);
    await forward.apply(routing);
    expect(chrome.proxy.settings.set).toHaveBeenCalledTimes(1);
    const [details] = chrome.proxy.settings.set.mock.calls[0] as unknown as [{ value: { mode: string; pacScript: { data: string } }; scope: string }];
    expect(details.scope).toBe('regular');
    expect(details.value.mode).toBe('pac_script');
    expect(details.value.pacScript.data).toContain('["app.downspin.test","api.downspin.test"]');
    expect(details.value.pacScript.data).toContain('PROXY 127.0.0.1:8080');
    await forward.apply({ ...routing, hosts: [] });
    expect(chrome.proxy.settings.clear).toHaveBeenCalledWith({ scope: 'regular' });
  });

  it('Firefox: answers proxy.onRequest for the listed hosts only, and stops listening when nothing is routed', async () => {
    const api = fakeBrowser(true);
    const chrome = fakeChrome();
    const forward = new ForwardProxy(() => undefined, api as unknown as Browser, chrome);
    await forward.apply(routing);
    const onRequest = api.proxy.onRequest!;
    expect([...onRequest.listeners.values()]).toEqual([expect.arrayContaining(['https://api.downspin.test/*', 'wss://app.downspin.test/*'])]);
    expect(onRequest.fire({ url: 'https://api.downspin.test/v1/items' })).toEqual([{ type: 'http', host: '127.0.0.1', port: 8080 }]);
    expect(onRequest.fire({ url: 'https://cdn.downspin.test/x.js' })).toEqual([{ type: 'direct' }]);
    // Applied again (settings changed): one listener, the new filter.
    await forward.apply({ ...routing, hosts: ['api.downspin.test'] });
    expect(onRequest.listeners.size).toBe(1);
    await forward.apply(null);
    expect(onRequest.listeners.size).toBe(0);
    expect(chrome.proxy.settings.set).not.toHaveBeenCalled();
  });

  it('reports an untrusted CA on a certificate error of a routed host, until one request completes over https', async () => {
    const api = fakeBrowser(false);
    const reports: (UntrustedCa | null)[] = [];
    const forward = new ForwardProxy((report) => reports.push(report), api as unknown as Browser, fakeChrome());
    await forward.apply(routing);
    expect([...api.webRequest.onErrorOccurred.listeners.values()][0]).toContain('https://api.downspin.test/*');
    api.webRequest.onErrorOccurred.fire({ url: 'https://api.downspin.test/v1', error: 'net::ERR_CONNECTION_RESET' });
    expect(reports).toEqual([]);
    api.webRequest.onErrorOccurred.fire({ url: 'https://app.downspin.test/', error: 'net::ERR_CERT_AUTHORITY_INVALID' });
    expect(reports).toEqual([{ host: 'app.downspin.test', error: 'net::ERR_CERT_AUTHORITY_INVALID', at: expect.any(Number) }]);
    api.webRequest.onCompleted.fire({ url: 'https://app.downspin.test/' });
    expect(reports.at(-1)).toBeNull();
    // Nothing routed: nothing watched.
    await forward.apply(null);
    expect(api.webRequest.onErrorOccurred.listeners.size).toBe(0);
    expect(api.webRequest.onCompleted.listeners.size).toBe(0);
  });
});
