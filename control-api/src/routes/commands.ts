import type { SessionStore } from '@downspin/db';
import {
  ApplyResponseSchema,
  DownspinBodySchema,
  NotifyBodySchema,
  NotifyResponseSchema,
  ProfileBodySchema,
  ScenarioApplyBodySchema,
  scenarioState,
  profileBodyState,
  TerminateBodySchema,
  TimelineBodySchema,
  timelineBodyState,
  UpspinBodySchema,
  type ShapingState,
} from '@downspin/protocol';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import { jsonBody } from '../middleware/json-body/index.js';
import { requireScenario } from '../scenarios/lookup.js';
import { resolveSession } from '../sessions/resolve.js';
import type { ShapingService } from '../shaping/service.js';
import { adminSecurity, errorResponses, jsonResponse, SessionParamsSchema } from './schemas.js';

export interface CommandRoutesOptions {
  store: SessionStore;
  shaping: ShapingService;
  maxBodyBytes: number;
}

/** A session command route: `:id` in the path and a JSON body checked by `schema`. */
function commandRoute<S extends z.ZodType>(method: 'post' | 'put', name: string, schema: S, summary: string, maxBytes: number) {
  return createRoute({
    method,
    path: `/admin/sessions/{id}/${name}`,
    summary,
    security: adminSecurity,
    middleware: [jsonBody({ maxBytes })] as const,
    request: {
      params: SessionParamsSchema,
      body: { content: { 'application/json': { schema } }, required: true },
    },
    responses: {
      200: jsonResponse(ApplyResponseSchema, 'Applied; `applied.acknowledged` tells whether every live proxy confirmed it'),
      ...errorResponses,
    },
  });
}

/**
 * Session commands: each resolves `:id` (hash or id), turns the validated
 * body into a shaping state, and applies it through the shaping service,
 * which answers once live proxies acknowledged it.
 */
export function registerCommandRoutes(app: OpenAPIHono, { store, shaping, maxBodyBytes }: CommandRoutesOptions): void {
  const route = <S extends z.ZodType>(method: 'post' | 'put', name: string, schema: S, summary: string) =>
    commandRoute(method, name, schema, summary, maxBodyBytes);

  const apply = async (rawId: string, state: ShapingState, kind: string, body: unknown) => {
    const { id } = await resolveSession(store, rawId);
    return shaping.apply(id, state, { kind, body });
  };

  app.openapi(route('post', 'upspin', UpspinBodySchema, 'Upspin: no added latency, no rate limit'), async (c) => {
    const body = c.req.valid('json');
    return c.json(await apply(c.req.valid('param').id, { mode: 'upspin' }, 'upspin', body), 200);
  });

  app.openapi(route('post', 'downspin', DownspinBodySchema, 'Downspin: add latency_ms (default 2000) to every request'), async (c) => {
    const body = c.req.valid('json');
    return c.json(await apply(c.req.valid('param').id, { mode: 'downspin', latencyMs: body.latency_ms }, 'downspin', body), 200);
  });

  app.openapi(route('post', 'terminate', TerminateBodySchema, 'End the session: 403 from now on, WebSockets closed'), async (c) => {
    const body = c.req.valid('json');
    return c.json(await apply(c.req.valid('param').id, { mode: 'terminated', reason: body.reason }, 'terminate', body), 200);
  });

  app.openapi(route('put', 'profile', ProfileBodySchema, 'Shape with a profile or a preset'), async (c) => {
    const body = c.req.valid('json');
    // Nothing to shape (preset "none", an empty profile) is the session's plain state: mode none.
    return c.json(await apply(c.req.valid('param').id, profileBodyState(body), 'profile', body), 200);
  });

  app.openapi(route('post', 'timeline', TimelineBodySchema, 'Run a list of steps by the clock, starting now'), async (c) => {
    const body = c.req.valid('json');
    return c.json(await apply(c.req.valid('param').id, timelineBodyState(body, Date.now()), 'timeline', body), 200);
  });

  app.openapi(
    route('put', 'scenario', ScenarioApplyBodySchema, "Shape with a stored scenario's current version, by name"),
    async (c) => {
      const { name } = c.req.valid('json');
      const scenario = await requireScenario(store, name);
      const ref = { name: scenario.name, version: scenario.version };
      // The history keeps which scenario and version: the definition itself may change or go later.
      return c.json(await apply(c.req.valid('param').id, scenarioState(scenario.shaping, ref, Date.now()), 'scenario', ref), 200);
    },
  );

  const notifyRoute = createRoute({
    method: 'post',
    path: '/admin/sessions/{id}/notify',
    summary: 'A toast in the session page, through the extension',
    security: adminSecurity,
    middleware: [jsonBody({ maxBytes: maxBodyBytes })] as const,
    request: {
      params: SessionParamsSchema,
      body: { content: { 'application/json': { schema: NotifyBodySchema } }, required: true },
    },
    responses: { 202: jsonResponse(NotifyResponseSchema, 'Queued for the session page'), ...errorResponses },
  });
  app.openapi(notifyRoute, async (c) => {
    const body = c.req.valid('json');
    const { id } = await resolveSession(store, c.req.valid('param').id);
    const notification = await shaping.notify(id, body);
    return c.json({ notification: { id: notification.id, message: body.message, type: body.type } }, 202);
  });
}
