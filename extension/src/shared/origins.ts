/**
 * Origins as the extension uses them: the proxy origins a QA engineer
 * configures, and the patterns and filters the browser APIs want for them.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const WEB_SCHEMES = new Set(['http:', 'https:']);

/**
 * Reads a proxy origin typed by a user: scheme, host and optional port,
 * nothing else (a trailing slash is fine). Returns the normalised origin.
 *
 * @example parseOrigin('http://LOCALHOST:8080/') // { ok: true, value: 'http://localhost:8080' }
 */
export function parseOrigin(input: string): Parsed<string> {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'an origin is required, e.g. http://localhost:8080' };
  if (!URL.canParse(text)) return { ok: false, error: `"${text}" is not a URL; write it like http://localhost:8080` };
  const url = new URL(text);
  if (!WEB_SCHEMES.has(url.protocol)) return { ok: false, error: `"${text}" must start with http:// or https://` };
  if (url.username !== '' || url.password !== '') return { ok: false, error: `"${text}" must not carry a user name or password` };
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return { ok: false, error: `"${text}" must be an origin only (scheme, host, port), without a path` };
  }
  return { ok: true, value: url.origin };
}

/**
 * Reads the control API's base URL: http(s), optionally under a path prefix
 * (behind a reverse proxy). Returned without a trailing slash.
 */
export function parseControlUrl(input: string): Parsed<string> {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'the control API URL is required, e.g. http://localhost:8081' };
  if (!URL.canParse(text)) return { ok: false, error: `"${text}" is not a URL; write it like http://localhost:8081` };
  const url = new URL(text);
  if (!WEB_SCHEMES.has(url.protocol)) return { ok: false, error: `"${text}" must start with http:// or https://` };
  if (url.username !== '' || url.password !== '') return { ok: false, error: `"${text}" must not carry a user name or password` };
  if (url.search !== '' || url.hash !== '') return { ok: false, error: `"${text}" must not have a query or fragment` };
  return { ok: true, value: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** `WS /ws/client` under the control API's URL. */
export function clientChannelUrl(controlUrl: string): string {
  const url = new URL(controlUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws/client`;
  return url.toString();
}

/** `POST /events` under the control API's URL. */
export function eventsUrl(controlUrl: string): string {
  return `${controlUrl.replace(/\/+$/, '')}/events`;
}

/** The WebSocket origin that belongs to an http(s) origin. */
export function socketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}

/**
 * A match pattern for content scripts on one origin. Chrome matches ports in
 * patterns; Firefox refuses a port (bug 1362809), so there the pattern covers
 * every port of the host and the content script checks its own origin.
 */
export function contentMatchPattern(origin: string, withPort: boolean): string {
  const url = new URL(origin);
  return `${url.protocol}//${withPort ? url.host : url.hostname}/*`;
}

/** The host permission an origin needs (ports are not part of permissions). */
export function hostPermissionPattern(originOrUrl: string): string {
  const url = new URL(originOrUrl);
  return `${url.protocol}//${url.hostname}/*`;
}

/**
 * Host permission patterns a configuration needs: the proxy origins and
 * their WebSocket twins (header rules act only where the extension has host
 * access, and Chrome checks a WebSocket handshake against its ws:// URL),
 * and the control API (`POST /events` without CORS).
 */
export function neededPermissions(proxyOrigins: readonly string[], controlUrl: string): string[] {
  const origins = [...proxyOrigins.flatMap((origin) => [origin, socketOrigin(origin)]), controlUrl];
  return [...new Set(origins.map(hostPermissionPattern))];
}

/** True when `href` is a page on one of `origins` (exact scheme, host and port). */
export function isOnOrigins(href: string, origins: readonly string[]): boolean {
  if (!URL.canParse(href)) return false;
  return origins.includes(new URL(href).origin);
}

/**
 * A URL without its query and fragment: what client events carry, since
 * queries and fragments often hold tokens.
 */
export function withoutQuery(href: string): string {
  if (!URL.canParse(href)) return '';
  const url = new URL(href);
  return `${url.origin}${url.pathname}`.slice(0, 2048);
}

/** Whether the tab the popup belongs to is one the extension tags with the session. */
export type TabStatus = { onOrigin: true; origin: string } | { onOrigin: false; origin: string | undefined };

/**
 * The popup's verdict on the active tab. `tabUrl` is undefined when the
 * extension has no host access to the tab (it asks for no `tabs`
 * permission), which also means it cannot tag it. Only web origins are
 * named (a `chrome://` page has none). A host routed through downspin is
 * tagged on any port.
 */
export function tabStatus(tabUrl: string | undefined, origins: readonly string[], forwardHosts: readonly string[] = []): TabStatus {
  if (tabUrl === undefined || !URL.canParse(tabUrl)) return { onOrigin: false, origin: undefined };
  const url = new URL(tabUrl);
  if (!WEB_SCHEMES.has(url.protocol)) return { onOrigin: false, origin: undefined };
  const tagged = origins.includes(url.origin) || forwardHosts.includes(url.hostname);
  return tagged ? { onOrigin: true, origin: url.origin } : { onOrigin: false, origin: url.origin };
}
