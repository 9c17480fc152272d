import { isIP } from 'node:net';
import type { HttpBindings } from '@hono/node-server';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import type { ControlMetrics } from '../metrics/metrics.js';
import { presentedKey } from '../middleware/api-key/index.js';
import { errorResponses } from './schemas.js';

/**
 * Who may scrape `/metrics`:
 * - `local-or-key` (default): callers on this machine (loopback address, or
 *   in process) without a key, anyone else with the API key (Prometheus
 *   sends it with `authorization: { credentials: … }` in a scrape config).
 * - `key`: the API key always.
 * - `open`: anyone who can reach the port.
 */
export type MetricsAccess = 'local-or-key' | 'key' | 'open';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text format). No key from this machine; from elsewhere the API key (see the README)',
  responses: {
    200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    401: errorResponses[401],
  },
});

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

export function registerMetricsRoute(
  app: OpenAPIHono,
  { metrics, access, keyMatches }: { metrics: ControlMetrics; access: MetricsAccess; keyMatches: (sent: string | undefined) => boolean },
): void {
  app.openapi(metricsRoute, async (c) => {
    if (access !== 'open') {
      // No node request behind it: called in process (app.request), which is local by definition.
      const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
      const local = incoming === undefined || isLoopback(incoming.socket.remoteAddress);
      if ((access === 'key' || !local) && !keyMatches(presentedKey((name) => c.req.header(name)))) throw new ApiError('unauthorized');
    }
    const { body, contentType } = await metrics.render();
    c.header('cache-control', 'no-store');
    return c.text(body, 200, { 'content-type': contentType });
  });
}
