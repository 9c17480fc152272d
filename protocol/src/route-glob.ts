/**
 * A profile's `routes` glob names a path (`/api/**`, `**\/*.json`) or a host
 * and a path (`api.staging.example.com/**`, `*.cdn.example.com`), so one
 * profile can slow an app's API and leave its CDN alone. The proxy compiles
 * the two halves once per profile (proxy/src/shaping/routes.ts); this is the
 * one place that says where the host ends.
 */

/** A host glob: labels of letters, digits, `-` and `*`, an optional `:port` (digits or `*`). */
const HOST_GLOB = /^[a-z0-9*-]+(\.[a-z0-9*-]+)*(:(\d{1,5}|\*))?$/i;

export interface RouteGlobParts {
  /** The host glob, or undefined when the glob names a path only. */
  readonly host: string | undefined;
  /** The path glob, `/**` when a host glob names no path. */
  readonly path: string;
}

/**
 * Splits a route glob. It names a path when it starts with `/`, or when its
 * first segment is only stars (`**\/*.json`, as before hosts existed);
 * otherwise its first segment is the host glob and the rest, if any, the path.
 */
export function splitRouteGlob(glob: string): RouteGlobParts {
  const slash = glob.indexOf('/');
  const first = slash === -1 ? glob : glob.slice(0, slash);
  if (slash === 0 || /^\*+$/.test(first)) return { host: undefined, path: glob };
  return { host: first, path: slash === -1 ? '/**' : glob.slice(slash) };
}

/** Why a route glob is not one, or undefined when it is. */
export function routeGlobProblem(glob: string): string | undefined {
  const { host } = splitRouteGlob(glob);
  if (host !== undefined && !HOST_GLOB.test(host)) {
    return 'a route glob starts with / (a path) or names a host such as api.example.com/** (letters, digits, -, *, an optional :port)';
  }
  return undefined;
}
