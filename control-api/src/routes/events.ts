import type { SessionStore } from '@downspin/db';
import { ClientEventBatchSchema, CLIENT_CHANNEL_MAX_PAYLOAD, ErrorBodySchema, EventsAcceptedResponseSchema, SessionIdSchema } from '@downspin/protocol';
import type { HttpBindings } from '@hono/node-server';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import type { ClientEventIntake } from '../events/intake.js';
import { addressKey, describeLimit, type ClientLimits, type LimitVerdict } from '../limits/client-limits.js';
import { jsonBody } from '../middleware/json-body/index.js';
import { fromStore } from '../store-errors.js';
import { clientOriginAllowed } from '../ws/origin.js';
import { errorResponses, jsonResponse } from './schemas.js';

export const ClientEventsBodySchema = z.strictObject({
  sessionId: SessionIdSchema,
  events: ClientEventBatchSchema,
});

const eventsRoute = createRoute({
  method: 'post',
  path: '/events',
  summary: 'Client events from the extension (page views, clicks, timings), for a session that gave consent; the HTTP alternative to `events` on WS /ws/client',
  middleware: [jsonBody({ maxBytes: CLIENT_CHANNEL_MAX_PAYLOAD })] as const,
  request: { body: { content: { 'application/json': { schema: ClientEventsBodySchema } }, required: true } },
  responses: {
    202: jsonResponse(EventsAcceptedResponseSchema, 'Accepted'),
    400: errorResponses[400],
    403: jsonResponse(ErrorBodySchema, '`consent_required`: the session gave no consent; `forbidden_origin`: not an extension origin'),
    413: errorResponses[413],
    415: errorResponses[415],
    429: jsonResponse(ErrorBodySchema, '`client_rate_limited`: too many batches from this session or address; see Retry-After'),
    503: errorResponses[503],
  },
});

export interface EventsRouteOptions {
  store: SessionStore;
  intake: ClientEventIntake;
  limits: ClientLimits;
  clientOrigins?: readonly string[];
}

/** 429 with Retry-After when a limit said no. */
function enforce(c: Context, verdict: LimitVerdict): void {
  if (verdict.retryAfterS === 0) return;
  c.header('Retry-After', String(verdict.retryAfterS));
  throw new ApiError('client_rate_limited', { message: `Too many requests: ${describeLimit('event batches', verdict)}.` });
}

/**
 * `POST /events` (no API key: the session id is the credential, as on the
 * client channel). Only extension origins (or none) and only sessions whose
 * consent is recorded; every refused batch is counted.
 */
export function registerEventsRoute(app: OpenAPIHono, { store, intake, limits, clientOrigins }: EventsRouteOptions): void {
  app.use('/events', async function countRefusals(c, next) {
    if (!clientOriginAllowed(c.req.header('origin'), clientOrigins)) {
      intake.reject();
      throw new ApiError('forbidden_origin');
    }
    // Per address before the body is read; per session once it names one.
    const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    enforce(c, limits.eventsFromAddress(addressKey(incoming?.socket.remoteAddress)));
    await next();
    if (c.res.status >= 400 && c.res.status < 500) intake.reject();
  });
  app.openapi(eventsRoute, async (c) => {
    const { sessionId, events } = c.req.valid('json');
    enforce(c, limits.eventsFromSession(sessionId));
    const record = await fromStore(() => store.getSession(sessionId));
    if (record?.consent !== true) throw new ApiError('consent_required');
    intake.accept(record.hash, events);
    return c.json({ accepted: events.length }, 202);
  });
}
