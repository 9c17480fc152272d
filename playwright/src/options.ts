/**
 * Where the fixture finds downspin. Set it in the Playwright config
 * (`use: { downspin: { … } }`) or per file with `test.use`; each field left
 * out falls back to its environment variable.
 *
 * @example
 * // playwright.config.ts
 * import { defineConfig } from '@playwright/test';
 * import type { DownspinTestOptions } from '@downspin/playwright';
 *
 * export default defineConfig<DownspinTestOptions>({
 *   use: {
 *     baseURL: 'http://127.0.0.1:8080', // the downspin proxy in front of your app
 *     downspin: { controlUrl: 'http://127.0.0.1:8081' }, // the key from ADMIN_API_KEY
 *   },
 * });
 */
export interface DownspinOptions {
  /** The control API, e.g. `http://127.0.0.1:8081`. Env: `DOWNSPIN_CONTROL_URL`. */
  controlUrl?: string;
  /** The admin key: the same `ADMIN_API_KEY` downspin itself reads (`downspin start` prints it). Env: `ADMIN_API_KEY`. */
  apiKey?: string;
  /**
   * The proxy the browser talks to, whose traffic `stats()` waits for.
   * Env: `DOWNSPIN_PROXY_URL`; defaults to the test's `baseURL`.
   */
  proxyUrl?: string;
  /**
   * More origins that get the test's session besides `baseURL` and `proxyUrl`,
   * e.g. a second downspin proxy in front of the app's API
   * (`['http://127.0.0.1:8090']`). The session goes as the proxy's cookie,
   * which browsers scope by host: other hosts never get it, other ports of
   * these hosts do on credentialed requests.
   */
  sessionOrigins?: string[];
  /**
   * Forward mode: each test's browser context uses the downspin proxy at
   * `proxyUrl` as its browser proxy, with the test's session as the proxy
   * user name (`Proxy-Authorization`), so every origin the proxy intercepts
   * (`downspin proxy --intercept`) is shaped at its real https URL, with no
   * cookie, no header and no change to the app. `baseURL` is then the app's
   * own URL, and `baseURL` plus `sessionOrigins` are the intercepted origins
   * whose answers `stats()` waits for. The browser must trust the proxy's CA:
   * see `trustDownspinCa` (README, "Forward mode").
   */
  forward?: boolean;
  /** How long `stats()` waits for the control API to count the test's traffic. Default 10 000 ms. */
  statsTimeoutMs?: number;
  /** How long one control API call may take. Default 15 000 ms. */
  requestTimeoutMs?: number;
  /**
   * Attach the session's HAR (`shaper.har()`, named `downspin-session.har`)
   * to the report of a test that failed: what the network did, and what
   * downspin injected, beside the trace. Default false.
   */
  harOnFailure?: boolean;
}

/** Options with every fallback applied. */
export interface ResolvedOptions {
  controlUrl: URL;
  apiKey: string;
  /** Origins whose answers count as traffic through the proxy (may be empty). */
  proxyOrigins: string[];
  statsTimeoutMs: number;
  requestTimeoutMs: number;
}

export const ENV_CONTROL_URL = 'DOWNSPIN_CONTROL_URL';
/** One name for the admin key everywhere: the variable downspin itself reads. */
export const ENV_API_KEY = 'ADMIN_API_KEY';
export const ENV_PROXY_URL = 'DOWNSPIN_PROXY_URL';

const DEFAULT_STATS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseHttpUrl(value: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`downspin: ${setting}="${value}" is not a URL (expected e.g. http://127.0.0.1:8081)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`downspin: ${setting}="${value}" must be an http or https URL`);
  }
  return url;
}

function positive(value: number | undefined, fallback: number, setting: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`downspin: ${setting} must be a positive number of ms, got ${value}`);
  return value;
}

/**
 * Fills options from the environment and checks them; the errors name the
 * setting to fix.
 */
export function resolveOptions(
  options: DownspinOptions,
  baseURL: string | undefined,
  env: Record<string, string | undefined> = process.env,
): ResolvedOptions {
  const controlUrl = nonEmpty(options.controlUrl) ?? nonEmpty(env[ENV_CONTROL_URL]);
  if (controlUrl === undefined) {
    throw new Error(
      `downspin: no control API URL: set use: { downspin: { controlUrl } } in the Playwright config or ${ENV_CONTROL_URL}`,
    );
  }
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env[ENV_API_KEY]);
  if (apiKey === undefined) {
    throw new Error(
      `downspin: no API key: set use: { downspin: { apiKey } } in the Playwright config or ${ENV_API_KEY} (downspin start prints its admin key)`,
    );
  }
  return {
    controlUrl: parseHttpUrl(controlUrl, 'downspin.controlUrl'),
    apiKey,
    proxyOrigins: resolveProxyOrigins(options, baseURL, env),
    statsTimeoutMs: positive(options.statsTimeoutMs, DEFAULT_STATS_TIMEOUT_MS, 'downspin.statsTimeoutMs'),
    requestTimeoutMs: positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'downspin.requestTimeoutMs'),
  };
}

/**
 * The origin whose answers count as the test's traffic through the proxy:
 * `downspin.proxyUrl`, else `DOWNSPIN_PROXY_URL`, else `baseURL`; none when
 * neither is set (then `stats()` does not wait).
 */
export function resolveProxyOrigins(
  options: DownspinOptions,
  baseURL: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string[] {
  // Forward mode: the browser asks for the app's own origins; the proxy answers for those it intercepts.
  if (options.forward === true) return listedOrigins(baseURL, options.sessionOrigins);
  const proxyUrl = nonEmpty(options.proxyUrl) ?? nonEmpty(env[ENV_PROXY_URL]);
  if (proxyUrl !== undefined) return [parseHttpUrl(proxyUrl, 'downspin.proxyUrl').origin];
  const base = nonEmpty(baseURL);
  return base === undefined ? [] : [parseHttpUrl(base, 'baseURL').origin];
}

/**
 * The origins the browser context sends the session cookie to: `baseURL`,
 * `proxyUrl` (or `DOWNSPIN_PROXY_URL`) and `sessionOrigins`, each once.
 * Everything else the page calls (third-party APIs, CDNs) never sees it.
 * None in forward mode: the proxy credentials carry the session there.
 */
export function resolveSessionOrigins(
  options: DownspinOptions,
  baseURL: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string[] {
  if (options.forward === true) return [];
  const origins = new Set(listedOrigins(baseURL, []));
  const proxyUrl = nonEmpty(options.proxyUrl) ?? nonEmpty(env[ENV_PROXY_URL]);
  if (proxyUrl !== undefined) origins.add(parseHttpUrl(proxyUrl, 'downspin.proxyUrl').origin);
  for (const origin of listedOrigins(undefined, options.sessionOrigins)) origins.add(origin);
  return [...origins];
}

/** `baseURL` then `sessionOrigins`, as origins, each once. */
function listedOrigins(baseURL: string | undefined, sessionOrigins: unknown): string[] {
  const origins = new Set<string>();
  const base = nonEmpty(baseURL);
  if (base !== undefined) origins.add(parseHttpUrl(base, 'baseURL').origin);
  const listed = sessionOrigins ?? [];
  if (!Array.isArray(listed)) throw new Error('downspin: downspin.sessionOrigins must be a list of origins, e.g. [\'http://127.0.0.1:8090\']');
  for (const [i, origin] of listed.entries()) origins.add(parseHttpUrl(String(origin), `downspin.sessionOrigins[${i}]`).origin);
  return [...origins];
}

/**
 * In forward mode, the proxy server the browser context uses (the origin of
 * `proxyUrl` or `DOWNSPIN_PROXY_URL`); undefined otherwise.
 */
export function resolveForwardProxy(options: DownspinOptions, env: Record<string, string | undefined> = process.env): string | undefined {
  if (options.forward !== true) return undefined;
  const proxyUrl = nonEmpty(options.proxyUrl) ?? nonEmpty(env[ENV_PROXY_URL]);
  if (proxyUrl === undefined) {
    throw new Error(`downspin: forward mode needs the proxy: set use: { downspin: { proxyUrl } } or ${ENV_PROXY_URL}`);
  }
  const url = parseHttpUrl(proxyUrl, 'downspin.proxyUrl');
  if (url.protocol !== 'http:') throw new Error(`downspin: downspin.proxyUrl="${proxyUrl}" must be an http URL in forward mode (the browser speaks CONNECT to it)`);
  return url.origin;
}
