import type { SessionStore } from '@downspin/db';
import {
  ErrorBodySchema,
  ScenarioListResponseSchema,
  ScenarioPutBodySchema,
  ScenarioResponseSchema,
} from '@downspin/protocol';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { jsonBody } from '../middleware/json-body/index.js';
import { parseScenarioName, requireScenario, toScenario } from '../scenarios/lookup.js';
import { fromStore } from '../store-errors.js';
import { adminSecurity, errorResponses, jsonResponse } from './schemas.js';

/** Checked by `parseScenarioName`, so a bad name is `malformed_scenario_name` rather than a session-id error. */
const ScenarioParamsSchema = z.object({ name: z.string() });

const notFound = { 404: jsonResponse(ErrorBodySchema, 'No scenario with that name') };

const listRoute = createRoute({
  method: 'get',
  path: '/admin/scenarios',
  summary: 'Every stored scenario, by name',
  security: adminSecurity,
  responses: { 200: jsonResponse(ScenarioListResponseSchema, 'The scenarios'), ...errorResponses },
});

const getRoute = createRoute({
  method: 'get',
  path: '/admin/scenarios/{name}',
  summary: 'One scenario at its current version',
  security: adminSecurity,
  request: { params: ScenarioParamsSchema },
  responses: { 200: jsonResponse(ScenarioResponseSchema, 'The scenario'), ...notFound, ...errorResponses },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/admin/scenarios/{name}',
  summary: 'Delete a scenario; sessions it shaped keep their shaping',
  security: adminSecurity,
  request: { params: ScenarioParamsSchema },
  responses: { 200: jsonResponse(ScenarioResponseSchema, 'The scenario as it was'), ...notFound, ...errorResponses },
});

/**
 * `/admin/scenarios`: a team's named, versioned shaping definitions.
 * Applying one to a session is `PUT /admin/sessions/{id}/scenario` (commands.ts).
 */
export function registerScenarioRoutes(app: OpenAPIHono, { store, maxBodyBytes }: { store: SessionStore; maxBodyBytes: number }): void {
  const putRoute = createRoute({
    method: 'put',
    path: '/admin/scenarios/{name}',
    summary: 'Create a scenario (version 1) or replace it (version + 1)',
    security: adminSecurity,
    middleware: [jsonBody({ maxBytes: maxBodyBytes })] as const,
    request: {
      params: ScenarioParamsSchema,
      body: { content: { 'application/json': { schema: ScenarioPutBodySchema } }, required: true },
    },
    responses: { 200: jsonResponse(ScenarioResponseSchema, 'The scenario at its new version'), ...errorResponses },
  });

  app.openapi(listRoute, async (c) => {
    const records = await fromStore(() => store.listScenarios());
    return c.json({ scenarios: records.map(toScenario) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const record = await requireScenario(store, parseScenarioName(c.req.valid('param').name));
    return c.json({ scenario: toScenario(record) }, 200);
  });

  app.openapi(putRoute, async (c) => {
    const name = parseScenarioName(c.req.valid('param').name);
    const body = c.req.valid('json');
    const record = await fromStore(() => store.putScenario({ name, ...body }));
    return c.json({ scenario: toScenario(record) }, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const name = parseScenarioName(c.req.valid('param').name);
    const record = await fromStore(() => store.deleteScenario(name));
    if (record === undefined) throw new ApiError('scenario_not_found', { details: { name } });
    return c.json({ scenario: toScenario(record) }, 200);
  });
}
