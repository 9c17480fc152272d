import { splitRouteGlob } from '@downspin/protocol';
import picomatch from 'picomatch';

/** True when a request to `host` (the Host header, port and all) for `path` is one of a profile's routes. */
export type RouteMatcher = (host: string, path: string) => boolean;

type Matcher = (input: string) => boolean;

/**
 * Compiles a profile's `routes` once per profile, never per request: path
 * globs into one picomatch matcher (as before hosts existed), each host glob
 * with its path glob. A host glob without a port matches the host on any
 * port, and hosts match whatever their case, so the Host header is tested
 * as it arrives, without slicing or lower-casing it per request.
 */
export function compileRoutes(globs: readonly string[]): RouteMatcher {
  const pathGlobs: string[] = [];
  const hostMatchers: Matcher[] = [];
  const hostPathMatchers: Matcher[] = [];
  for (const glob of globs) {
    const { host, path } = splitRouteGlob(glob);
    if (host === undefined) {
      pathGlobs.push(path);
      continue;
    }
    hostMatchers.push(picomatch(host.includes(':') ? host : `${host}{,:*}`, { nocase: true, dot: true }));
    hostPathMatchers.push(picomatch(path, { dot: true }));
  }
  const matchesPath: Matcher | undefined = pathGlobs.length > 0 ? picomatch(pathGlobs, { dot: true }) : undefined;
  return (host, path) => {
    if (matchesPath !== undefined && matchesPath(path)) return true;
    for (let i = 0; i < hostMatchers.length; i++) {
      if (hostMatchers[i]!(host) && hostPathMatchers[i]!(path)) return true;
    }
    return false;
  };
}
