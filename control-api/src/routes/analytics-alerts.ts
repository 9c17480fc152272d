import type { SessionStore } from '@downspin/db';
import { AlertsResponseSchema } from '@downspin/protocol';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { recentAlerts } from '../analytics/alerts.js';
import { AlertsQuerySchema, rangeOf } from '../analytics/query.js';
import { errorResponses, adminSecurity, jsonResponse } from './schemas.js';

const alertsRoute = createRoute({
  method: 'get',
  path: '/admin/alerts',
  tags: ['analytics'],
  summary: 'Recent bot alerts: sessions at high risk (score ≥ 70) or banned, with the signals that scored, most recently seen first',
  description:
    'Range: `hours=N` (default 24) or `from`/`to` (ISO 8601): sessions last seen in it. Read from the session store, so every ' +
    'control instance answers the same; live alerts arrive on WS /ws/dashboard as `alert` messages (same kind, sessionHash, risk and message fields).',
  security: adminSecurity,
  request: { query: AlertsQuerySchema },
  responses: { 200: jsonResponse(AlertsResponseSchema, 'The alerts'), 400: errorResponses[400], 401: errorResponses[401], 503: errorResponses[503] },
});

/** `GET /admin/alerts` (API key). */
export function registerAlertsRoute(app: OpenAPIHono, store: SessionStore): void {
  app.openapi(alertsRoute, async (c) => {
    const query = c.req.valid('query');
    const range = rangeOf(query);
    const alerts = await recentAlerts(store, { ...range, limit: query.limit });
    c.header('cache-control', 'no-store');
    return c.json({ range: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() }, alerts }, 200);
  });
}
