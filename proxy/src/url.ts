/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The origin-form (path and query) of a request target: an absolute-form
 * target (`GET http://host/x`) keeps only its path, so route globs see `/x`
 * and the client never picks the host here (forward mode decides that first,
 * for listed hosts only: forward/mode.ts). Undefined when the target is neither
 * (`*`, authority-form, another scheme, garbage). The one parser of request
 * targets: the server rewrites every request and upgrade with it before
 * shaping (request-limits.ts), the WebSocket path builds its upstream URL
 * from it.
 */
export function originFormOf(target: string): string | undefined {
  // Origin-form is the common case: one character compare.
  if (target.charCodeAt(0) === 47) return target;
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.pathname + url.search;
}
