import type { Browser, Proxy, WebRequest } from 'webextension-polyfill';
import { buildPacScript, firefoxProxyFor, forwardUrlPatterns, isCertificateError } from '../shared/forward.js';
import type { UntrustedCa } from '../shared/state.js';

/** The hosts to route through downspin and the proxy's `host:port`; none routes nothing. */
export interface ForwardRouting {
  hosts: readonly string[];
  proxy: string;
}

/** Chrome's proxy setting (no polyfill wrapper: it returns a promise in MV3). */
interface ChromeProxyApi {
  proxy: { settings: { set(details: { value: unknown; scope: 'regular' }): Promise<void>; clear(details: { scope: 'regular' }): Promise<void> } };
}

type ErrorDetails = Pick<WebRequest.OnErrorOccurredDetailsType, 'url' | 'error'>;

/**
 * Sends exactly the listed hosts through the downspin proxy, and watches
 * their requests for the sign that the downspin CA is not trusted yet.
 *
 * Chrome: one PAC script in `proxy.settings` (every other host stays
 * DIRECT). Firefox: `proxy.onRequest`, filtered to the listed hosts' URLs,
 * since its `proxy.settings` needs the extension allowed in private windows.
 * A certificate error on a listed host (`webRequest.onErrorOccurred`) means
 * the browser does not trust the CA the proxy signs with: reported until a
 * request to a listed host completes over https.
 */
export class ForwardProxy {
  private routing: ForwardRouting | null = null;
  private readonly onRequest = (details: Proxy.OnRequestDetailsType) =>
    this.routing === null ? { type: 'direct' as const } : firefoxProxyFor(details.url, this.routing.hosts, this.routing.proxy);
  private readonly onError = (details: ErrorDetails): void => {
    if (!isCertificateError(details.error)) return;
    this.report({ host: URL.canParse(details.url) ? new URL(details.url).hostname : '', error: details.error, at: Date.now() });
  };
  private readonly onCompleted = (details: { url: string }): void => {
    if (details.url.startsWith('https:')) this.report(null);
  };

  constructor(
    private readonly report: (untrusted: UntrustedCa | null) => void,
    /** The extension APIs (webextension-polyfill's `browser`), passed in so tests can give fakes. */
    private readonly api: Pick<Browser, 'proxy' | 'webRequest'>,
    private readonly chrome: ChromeProxyApi | undefined = (globalThis as { chrome?: ChromeProxyApi }).chrome,
  ) {}

  /** True on Firefox, which routes per request; Chrome takes a PAC script. */
  private get perRequest(): boolean {
    return typeof this.api.proxy?.onRequest?.addListener === 'function';
  }

  /** Routes `routing`'s hosts (replacing what was routed before), or nothing. */
  async apply(routing: ForwardRouting | null): Promise<void> {
    const next = routing === null || routing.hosts.length === 0 ? null : routing;
    this.unwatch();
    this.routing = next;
    if (this.perRequest) {
      this.api.proxy.onRequest.removeListener(this.onRequest);
      if (next !== null) this.api.proxy.onRequest.addListener(this.onRequest, { urls: forwardUrlPatterns(next.hosts) });
    } else if (this.chrome !== undefined) {
      if (next === null) await this.chrome.proxy.settings.clear({ scope: 'regular' });
      else await this.chrome.proxy.settings.set({ value: { mode: 'pac_script', pacScript: { data: buildPacScript(next.hosts, next.proxy) } }, scope: 'regular' });
    }
    if (next !== null) this.watch(next.hosts);
    else this.report(null);
  }

  private watch(hosts: readonly string[]): void {
    const filter = { urls: forwardUrlPatterns(hosts) };
    this.api.webRequest.onErrorOccurred.addListener(this.onError, filter);
    this.api.webRequest.onCompleted.addListener(this.onCompleted, filter);
  }

  private unwatch(): void {
    this.api.webRequest.onErrorOccurred.removeListener(this.onError);
    this.api.webRequest.onCompleted.removeListener(this.onCompleted);
  }
}
