import { AdminStatsSchema } from '@downspin/protocol';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AdminStats } from '@downspin/protocol';
import { adminSecurity, errorResponses, jsonResponse } from './schemas.js';

const statsRoute = createRoute({
  method: 'get',
  path: '/admin/stats',
  summary: 'Live figures: sessions, connections, requests/s, telemetry rows (summed over live proxies and per proxy), bus, activity, WebSocket channels',
  security: adminSecurity,
  responses: { 200: jsonResponse(AdminStatsSchema, 'The figures of this moment'), 401: errorResponses[401] },
});

/** `GET /admin/stats` (API key): the same figures the dashboard gets as `stats` ticks. */
export function registerStatsRoute(app: OpenAPIHono, stats: () => AdminStats): void {
  app.openapi(statsRoute, (c) => {
    c.header('cache-control', 'no-store');
    return c.json(stats(), 200);
  });
}
