/**
 * Normalises a path for grouping: segments that look like ids become `:id`
 * (/users/42 → /users/:id, /orders/3f2a…-uuid → /orders/:id).
 */
const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^[0-9a-f]{12,}$/i;
/** Long tokens mixing letters and digits (base64url ids, slugs with hashes). */
const TOKEN = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{16,}$/;

export function normalizeRoute(path: string): string {
  if (path.length <= 1) return path;
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment !== '' && (NUMERIC.test(segment) || UUID.test(segment) || HEX_ID.test(segment) || TOKEN.test(segment))) {
      segments[i] = ':id';
    }
  }
  return segments.join('/');
}
