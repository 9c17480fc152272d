/// <reference lib="dom" />

/** One fetch made by the page, as the page saw it. */
export interface Timed {
  /** HTTP status, or 0 when the request failed (reset, offline). */
  status: number;
  /** Wall time from sending to the end of the body, in the page. */
  ms: number;
  /** `x-downspin-error` of a refusal written by the proxy, if any. */
  refusal: string | null;
  error?: string;
}

/** What timing a fetch needs of a page: Playwright's Page and Puppeteer's (the Firefox suite) both fit. */
export interface FetchingPage {
  evaluate(fetchInPage: (url: string) => Promise<Timed>, url: string): Promise<Timed>;
}

/** Fetches `path` from the page (so it carries the page's session) and times it. */
export function timedFetch(page: FetchingPage, path: string): Promise<Timed> {
  return page.evaluate(async (url) => {
    const started = performance.now();
    try {
      const res = await fetch(url, { cache: 'no-store' });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started, refusal: res.headers.get('x-downspin-error') };
    } catch (error) {
      return { status: 0, ms: performance.now() - started, refusal: null, error: String(error) };
    }
  }, path);
}

/**
 * `count` fetches of `path` one after another, their times in ms: an upper
 * bound is judged by their median, as one request on a busy 2-core machine
 * can take several times its usual time (a page's first once took 946 ms).
 */
export async function timedSamples(page: FetchingPage, path: string, count = 3): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const timed = await timedFetch(page, path);
    // A refused or failed fetch is fast: counted as a timing, it would pass an upper bound falsely.
    if (timed.status < 200 || timed.status >= 300) {
      throw new Error(`${path} answered ${timed.status}${timed.refusal === null ? '' : ` (${timed.refusal})`}${timed.error === undefined ? '' : `: ${timed.error}`}; no timing taken`);
    }
    samples.push(timed.ms);
  }
  return samples;
}

/** The median of a few measurements: one slow outlier on a busy machine does not decide. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
