import type { BrowserContext, Request } from '@playwright/test';

/** What a browser context got answered by the proxy, as the browser saw it. */
export interface TrafficCount {
  /** Requests answered over the network by the proxy (not from cache or a service worker). */
  requests: number;
  /** Their request bodies, bytes. The proxy counts these plus headers. */
  bodyBytesSent: number;
  /** Their response bodies as sent on the wire (encoded), bytes. The proxy counts these plus headers. */
  bodyBytesReceived: number;
}

/**
 * Counts the requests a browser context got answered by the proxy. The proxy
 * counts every request it receives, so this is a floor for what the control
 * API will report for the session once the proxies' activity reports (about
 * once a second) have arrived: `stats()` waits for the API to reach it.
 */
export class ProxyTraffic {
  private readonly count: TrafficCount = { requests: 0, bodyBytesSent: 0, bodyBytesReceived: 0 };
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly origins: ReadonlySet<string>) {}

  /** True when answers of this context are counted at all (a proxy origin is known). */
  get enabled(): boolean {
    return this.origins.size > 0;
  }

  /** Starts counting the context's finished requests; returns the function that stops. */
  attach(context: BrowserContext): () => void {
    if (!this.enabled) return () => {};
    const onFinished = (request: Request): void => {
      const counting = this.note(request).finally(() => this.inFlight.delete(counting));
      this.inFlight.add(counting);
    };
    context.on('requestfinished', onFinished);
    return () => context.off('requestfinished', onFinished);
  }

  /** The count so far, once the requests finished before this call are all noted. */
  async snapshot(): Promise<TrafficCount> {
    await Promise.all([...this.inFlight]);
    return { ...this.count };
  }

  private async note(request: Request): Promise<void> {
    if (!this.origins.has(originOf(request.url()))) return;
    try {
      const response = await request.response();
      // A cached answer never reached the proxy: Playwright gives it no timing (-1).
      if (response === null || response.fromServiceWorker() || request.timing().responseStart < 0) return;
      this.count.requests++;
      const sizes = await request.sizes();
      this.count.bodyBytesSent += sizes.requestBodySize;
      this.count.bodyBytesReceived += sizes.responseBodySize;
    } catch {
      // The page or context closed while we asked: what was counted stays a floor.
    }
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
