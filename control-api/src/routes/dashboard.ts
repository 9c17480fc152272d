import { existsSync } from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';

/** Paths of the API itself: never answered with the dashboard, whatever follows them. */
export const API_PATH_PREFIXES = ['/admin', '/ws', '/health', '/metrics', '/openapi.json', '/events'] as const;

/** Vite puts content-hashed files here: a name changes whenever its content does. */
const HASHED_ASSETS = '/assets/';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html (and unhashed files) are checked every time, so a new build is picked up at once. */
const REVALIDATE = 'no-cache';

/**
 * The dashboard can shape and terminate sessions in one click, so no other
 * site may frame it; it loads only its own files and talks only to its own origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  // Chart and map libraries set style attributes.
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function isApiPath(pathname: string): boolean {
  return API_PATH_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** A path the single-page app routes itself (`/`, `/analytics`): not the API, not an asset, no file extension. */
export function isClientRoute(pathname: string): boolean {
  if (isApiPath(pathname) || pathname.startsWith(HASHED_ASSETS)) return false;
  return !pathname.slice(pathname.lastIndexOf('/') + 1).includes('.');
}

function cacheControlFor(pathname: string): string {
  return pathname.startsWith(HASHED_ASSETS) ? IMMUTABLE : REVALIDATE;
}

/** Caching and security headers of a file found, set on the response itself (it already exists). */
function withHeaders(res: Response, pathname: string): Response {
  res.headers.set('cache-control', cacheControlFor(pathname));
  res.headers.set('x-content-type-options', 'nosniff');
  if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
    res.headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
    res.headers.set('x-frame-options', 'DENY');
    res.headers.set('referrer-policy', 'no-referrer');
  }
  return res;
}

export interface DashboardRouteOptions {
  /** The dashboard's build output (`@downspin/dashboard`'s `dashboardDir`). Unset: no dashboard is served. */
  dashboardDir: string | undefined;
}

/**
 * Serves the built dashboard at `/`: its files (hashed assets cached for a
 * year, `immutable`; index.html `no-cache`), and index.html for client
 * routes (`/analytics`) so a reload or a bookmark opens the right view. Never
 * for the API's own paths (`/admin`, `/ws`, `/health`, `/metrics`,
 * `/openapi.json`, `/events`): an unknown one there stays a JSON 404. Register
 * it after every other route; it only answers what they did not.
 * A missing build answers client routes 404 `not_found` saying so.
 */
export function registerDashboardRoutes(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Hono app, whatever its env and routes
  app: Hono<any, any, any>,
  { dashboardDir }: DashboardRouteOptions,
): void {
  if (dashboardDir === undefined) return;
  const root = path.resolve(dashboardDir);
  const indexFile = path.join(root, 'index.html');
  const nothing = async (): Promise<void> => undefined;
  const files = serveStatic({ root });
  const index = serveStatic({ root, path: 'index.html' });

  const serveDashboard: MiddlewareHandler = async function serveDashboard(c, next) {
    const pathname = c.req.path;
    if (isApiPath(pathname)) return next();
    if (!existsSync(indexFile)) {
      if (!isClientRoute(pathname)) return next();
      throw new ApiError('not_found', { message: 'The dashboard is not built: run `npm run build` (it builds dashboard/dist).' });
    }
    const found = await files(c, nothing);
    if (found) return withHeaders(found, pathname);
    // A missing asset stays a 404 (never HTML a script tag would choke on); so does a non-browser asking for JSON.
    if (isClientRoute(pathname) && (c.req.header('accept') ?? '').includes('text/html')) {
      const page = await index(c, nothing);
      if (page) return withHeaders(page, '/index.html');
    }
    return next();
  };
  app.on(['GET', 'HEAD'], '*', serveDashboard);
}
