import { ErrorBodySchema } from '@downspin/protocol';
import { json, request, type TimedResponse } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADMIN_KEY, startScaleOutStack, type ScaleOutStack } from './stack.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const OpenApiSchema = z.object({
  paths: z.record(
    z.string(),
    z.record(z.string(), z.unknown()).transform((ops) =>
      Object.entries(ops)
        .filter(([method]) => (METHODS as readonly string[]).includes(method))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          params: z.object({ parameters: z.array(z.object({ name: z.string(), in: z.string() })).default([]) }).parse(op).parameters,
        })),
    ),
  ),
});

/** The error code of an answer, or the start of its body when it is no error body. */
function errorCode(res: TimedResponse): string {
  let body: unknown;
  try {
    body = json(res);
  } catch {
    return res.body.toString().slice(0, 60);
  }
  const parsed = ErrorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error.code : JSON.stringify(body).slice(0, 60);
}

/** Keys that must not open any admin route; the real one differs from "wrong" in its last character only. */
const BAD_KEYS: [string, Record<string, string>][] = [
  ['missing key', {}],
  ['empty X-API-Key', { 'x-api-key': '' }],
  ['wrong X-API-Key (same length)', { 'x-api-key': `${ADMIN_KEY.slice(0, -1)}X` }],
  ['wrong Bearer (same length)', { authorization: `Bearer ${ADMIN_KEY.slice(0, -1)}X` }],
  ['X-API-Key one character short (a prefix of the key)', { 'x-api-key': ADMIN_KEY.slice(0, -1) }],
  ['Bearer one character long (the key plus one)', { authorization: `Bearer ${ADMIN_KEY}0` }],
];

/**
 * Every admin route the app describes in /openapi.json (so a route added
 * later is covered without touching this test) answers 401 `unauthorized`
 * to a missing, wrong or wrong-length key, and changes nothing.
 */
describe('scale-out: admin routes need the key', () => {
  let stack: ScaleOutStack;
  beforeAll(async () => {
    stack = await startScaleOutStack({ label: 'auth', proxies: 1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 401 on every /admin route in /openapi.json, for every bad key, and nothing is created', async () => {
    const doc = OpenApiSchema.parse(json(await request(`${stack.control.url}/openapi.json`)));
    const probeId = 'auth-probe-session';
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/admin/'))
      .flatMap(([path, ops]) =>
        ops.map(({ method, params }) => {
          let filled = path;
          for (const param of params.filter((p) => p.in === 'path')) filled = filled.replace(`{${param.name}}`, param.name === 'id' ? probeId : 'x');
          return { method, path: filled, template: `${method} ${path}` };
        }),
      );
    // Not vacuous: the routes of the product contract are there.
    const templates = routes.map((r) => r.template);
    for (const known of [
      'GET /admin/sessions',
      'GET /admin/sessions/{id}',
      'POST /admin/sessions/{id}/upspin',
      'POST /admin/sessions/{id}/downspin',
      'POST /admin/sessions/{id}/terminate',
      'POST /admin/sessions/{id}/notify',
      'PUT /admin/sessions/{id}/profile',
      'POST /admin/sessions/{id}/timeline',
      'GET /admin/stats',
      'PUT /admin/sessions/{id}/scenario',
      'GET /admin/scenarios',
      'GET /admin/scenarios/{name}',
      'PUT /admin/scenarios/{name}',
      'DELETE /admin/scenarios/{name}',
    ]) {
      expect(templates).toContain(known);
    }
    expect(routes.every((r) => !/[{}]/.test(r.path))).toBe(true);
    // And one path that is no route at all.
    routes.push({ method: 'GET', path: '/admin/no-such-route', template: 'GET /admin/no-such-route' });

    const failures: string[] = [];
    for (const route of routes) {
      for (const [label, headers] of BAD_KEYS) {
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        // A valid-looking body: a route that checked the body before the key would answer 400, not 401.
        const res = await request(`${stack.control.url}${route.path}`, {
          method: route.method,
          headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          body: hasBody ? '{}' : undefined,
        });
        const code = errorCode(res);
        if (res.status !== 401 || code !== 'unauthorized') failures.push(`${route.method} ${route.path} with ${label}: ${res.status} ${code}`);
      }
    }
    expect(failures).toEqual([]);
    expect(routes.length * BAD_KEYS.length).toBeGreaterThanOrEqual(60);

    // Nothing was shaped, notified or created by any of those calls.
    expect(await stack.store.getSession(probeId)).toBeUndefined();
    expect(await stack.store.loadShaping()).toEqual([]);
    expect(await stack.store.listScenarios()).toEqual([]);
    // The right key does open the door (so the 401s above are the key check, not a broken API).
    expect((await stack.admin('GET', '/admin/sessions')).status).toBe(200);
    expect((await stack.admin('GET', `/admin/sessions/${probeId}`)).status).toBe(404);
  });
});
