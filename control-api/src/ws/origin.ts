import type { IncomingHttpHeaders } from 'node:http';

/** Browser extension pages and service workers send one of these as Origin. */
const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension):\/\/[A-Za-z0-9._-]+$/;

/**
 * Who may use the extension's channel (`/ws/client`, `POST /events`):
 * requests without an Origin (non-browser clients: tests, curl, the
 * Playwright fixture's Node side) and, from browsers, extension origins:
 * any `chrome-extension://…` or `moz-extension://…` by default, or exactly
 * the `allowed` list when one is configured (to pin extension ids).
 */
export function clientOriginAllowed(origin: string | undefined, allowed?: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed !== undefined) return allowed.includes(origin);
  return EXTENSION_ORIGIN.test(origin);
}

/**
 * Who may open `/ws/dashboard`: no Origin (non-browser clients), the control
 * API's own origin (the dashboard is served from `/`, so its Origin names
 * the host the request was sent to), or one of `extra` (e.g. a dashboard dev
 * server). The scheme is not compared: TLS may end in front of the API.
 */
export function dashboardOriginAllowed(headers: IncomingHttpHeaders, extra: readonly string[] = []): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (extra.includes(origin)) return true;
  if (!URL.canParse(origin) || headers.host === undefined) return false;
  const { protocol, host } = new URL(origin);
  return (protocol === 'http:' || protocol === 'https:') && host === headers.host.toLowerCase();
}
