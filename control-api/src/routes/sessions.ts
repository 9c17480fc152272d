import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute } from '@hono/zod-openapi';
import { ErrorBodySchema, SessionDetailResponseSchema, SessionListResponseSchema } from '@downspin/protocol';
import type { SessionStore } from '@downspin/db';
import { requireSession } from '../sessions/resolve.js';
import { toSessionView } from '../sessions/view.js';
import { fromStore } from '../store-errors.js';
import {
  adminSecurity,
  errorResponses,
  jsonResponse,
  SessionParamsSchema,
  SessionsQuerySchema,
} from './schemas.js';

const HISTORY_SHOWN = 20;

const listRoute = createRoute({
  method: 'get',
  path: '/admin/sessions',
  summary: 'Sessions by hash, most recently seen first',
  security: adminSecurity,
  request: { query: SessionsQuerySchema },
  responses: { 200: jsonResponse(SessionListResponseSchema, 'The sessions'), ...errorResponses },
});

const getRoute = createRoute({
  method: 'get',
  path: '/admin/sessions/{id}',
  summary: 'One session (by hash or id) with its latest commands',
  security: adminSecurity,
  request: { params: SessionParamsSchema },
  responses: {
    200: jsonResponse(SessionDetailResponseSchema, 'The session'),
    404: jsonResponse(ErrorBodySchema, 'No such session'),
    ...errorResponses,
  },
});

export function registerSessionRoutes(app: OpenAPIHono, store: SessionStore): void {
  app.openapi(listRoute, async (c) => {
    const { filter, limit } = c.req.valid('query');
    const records = await fromStore(() => store.listSessions(filter, limit));
    return c.json({ sessions: records.map(toSessionView) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const record = await requireSession(store, c.req.valid('param').id);
    const history = await fromStore(() => store.history(record.id, HISTORY_SHOWN));
    return c.json(
      {
        session: toSessionView(record),
        history: history.map((h) => ({ version: h.version, kind: h.kind, body: h.body, createdAt: new Date(h.createdAt).toISOString() })),
      },
      200,
    );
  });
}
