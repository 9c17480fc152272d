/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The origin-form (path and query) of a request target, for building the
 * upstream URL: an absolute-form target (`GET http://host/x`) keeps only its
 * path, so a client never picks the host. Undefined when the target is
 * neither (`*`, authority-form, garbage).
 */
export function originFormOf(target: string): string | undefined {
  if (target.startsWith('/')) return target;
  if (!/^(?:https?|wss?):\/\//i.test(target)) return undefined;
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    return undefined;
  }
}
