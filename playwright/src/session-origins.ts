import type { BrowserContext } from '@playwright/test';
import { SESSION_COOKIE } from '@downspin/protocol';

/**
 * Makes a browser context carry the test's session to `origins` only, so a
 * third-party API with strict CORS keeps working and never sees the header.
 *
 * The vehicle is the proxy's own session cookie, `downspin_sid`, stored for
 * each origin's host (HttpOnly, SameSite=Lax; the proxy strips it before the
 * app sees the request). The browser sends it with navigations, same-origin
 * fetch/XHR, subresources and WebSocket handshakes, and the context's
 * `request` client sends it too.
 *
 * Why not the `x-downspin-session` header per request:
 * - `setExtraHTTPHeaders` (what this replaces) has no origin filter: every
 *   origin got the id, and CORS preflights asked third parties for it.
 * - A `context.route` that adds the header only for these origins turns on
 *   Playwright's request interception for the whole context, and with it on,
 *   Playwright answers every CORS preflight itself with "allow everything"
 *   (and disables the HTTP cache): an app whose cross-origin calls would fail
 *   CORS in production passes the test. A QA fixture must not do that.
 *   Routes cannot reach WebSocket handshakes either.
 *
 * Limits (documented in the README): browsers scope cookies by host, not
 * port, so another port of the same host gets the cookie on credentialed
 * requests (another host never does); a request made with
 * `credentials: 'omit'`, or after the test clears the context's cookies,
 * carries no session.
 */
export async function sendSessionTo(context: BrowserContext, origins: readonly string[], sessionId: string): Promise<void> {
  if (origins.length === 0) return;
  await context.addCookies(
    origins.map((origin) => ({
      name: SESSION_COOKIE,
      value: sessionId,
      url: `${origin}/`,
      httpOnly: true,
      sameSite: 'Lax' as const,
    })),
  );
}
