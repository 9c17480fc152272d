import { DASHBOARD_TICKET_PARAM, WsTicketResponseSchema } from '@downspin/protocol';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { TicketBook } from '../ws/tickets.js';
import { DASHBOARD_CHANNEL_PATH } from '../ws/upgrade.js';
import { adminSecurity, errorResponses, jsonResponse } from './schemas.js';

const ticketRoute = createRoute({
  method: 'post',
  path: '/admin/ws-ticket',
  summary: 'A single-use ticket (30 s) to open WS /ws/dashboard from a browser, which cannot send X-API-Key on a WebSocket',
  security: adminSecurity,
  responses: { 201: jsonResponse(WsTicketResponseSchema, 'Open `path` within the time given'), 401: errorResponses[401] },
});

/** `POST /admin/ws-ticket` (API key) → `{ ticket, expiresAt, path }`. */
export function registerWsTicketRoute(app: OpenAPIHono, tickets: TicketBook): void {
  app.openapi(ticketRoute, (c) => {
    const { ticket, expiresAt } = tickets.issue();
    c.header('cache-control', 'no-store');
    return c.json(
      { ticket, expiresAt: new Date(expiresAt).toISOString(), path: `${DASHBOARD_CHANNEL_PATH}?${DASHBOARD_TICKET_PARAM}=${encodeURIComponent(ticket)}` },
      201,
    );
  });
}
