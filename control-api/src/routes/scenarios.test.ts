import { randomBytes } from 'node:crypto';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { ApplyResponseSchema, ScenarioListResponseSchema, ScenarioResponseSchema, SessionDetailResponseSchema } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/harness.js';

let store: SessionStore;
let h: Harness;
beforeAll(async () => {
  store = await createPgliteStore();
  h = await startHarness(store);
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const unique = (label: string): string => `${label} ${randomBytes(3).toString('hex')}`;
const path = (name: string): string => `/admin/scenarios/${encodeURIComponent(name)}`;
const put = async (name: string, body: unknown) => h.call('PUT', path(name), body);

describe('/admin/scenarios', () => {
  it('creates, bumps the version on each PUT, lists, gets and deletes', async () => {
    const name = unique('checkout API outage');
    const first = await put(name, { description: 'payments answer 503', shaping: { profile: { faults: { errorRate: 1 } } }, updatedBy: 'dashboard' });
    expect(first.status).toBe(200);
    expect(ScenarioResponseSchema.parse(await first.json()).scenario).toMatchObject({ name, version: 1, updatedBy: 'dashboard' });

    const second = await put(name, { shaping: { steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 2000, profile: { latency: { ms: 900 } } }] } });
    const { scenario } = ScenarioResponseSchema.parse(await second.json());
    expect(scenario).toMatchObject({ name, version: 2, description: '', updatedBy: 'api' });
    expect(Date.parse(scenario.updatedAt)).toBeGreaterThan(0);

    const list = ScenarioListResponseSchema.parse(await (await h.call('GET', '/admin/scenarios')).json());
    expect(list.scenarios.find((s) => s.name === name)).toEqual(scenario);
    expect(ScenarioResponseSchema.parse(await (await h.call('GET', path(name))).json()).scenario).toEqual(scenario);

    const deleted = await h.call('DELETE', path(name));
    expect(deleted.status).toBe(200);
    expect(ScenarioResponseSchema.parse(await deleted.json()).scenario.version).toBe(2);
    for (const method of ['GET', 'DELETE']) {
      const gone = await h.call(method, path(name));
      expect(gone.status).toBe(404);
      expect(await gone.json()).toMatchObject({ error: { code: 'scenario_not_found', message: 'No scenario with that name.' } });
    }
  });

  it('refuses bad names (preset names included) and bad definitions with the catalogue errors, storing nothing', async () => {
    for (const name of ['slow-3g', 'say "hi"', ' edge', 'x'.repeat(81)]) {
      const res = await put(name, { shaping: { profile: {} } });
      expect(res.status, name).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'malformed_scenario_name' } });
    }
    const name = unique('bad body');
    for (const body of [{ shaping: { latency: { ms: 1 } } }, { shaping: { profile: {} }, version: 9 }, { shaping: { steps: [] } }, {}]) {
      const res = await put(name, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_body' } });
    }
    expect(await store.getScenario(name)).toBeUndefined();
    const unauthenticated = await h.app.request(path(name), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"shaping":{"profile":{}}}' });
    expect(unauthenticated.status).toBe(401);
    expect((await h.app.request('/admin/scenarios')).status).toBe(401);
  });

  it('is described in /openapi.json', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/admin/scenarios'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/admin/scenarios/{name}'] ?? {}).sort()).toEqual(['delete', 'get', 'put']);
    expect(Object.keys(doc.paths['/admin/sessions/{id}/scenario'] ?? {})).toEqual(['put']);
  });
});

describe('PUT /admin/sessions/{id}/scenario', () => {
  it("applies the scenario's current version and names it on the session and in its history", async () => {
    const name = unique('train tunnel');
    await put(name, { shaping: { profile: { latency: { ms: 100 } } } });
    await put(name, { shaping: { steps: [{ atMs: 0, profile: { latency: { ms: 300 } } }, { atMs: 5000, preset: 'offline' }] } });
    const session = `s-${randomBytes(6).toString('hex')}`;

    const res = await h.call('PUT', `/admin/sessions/${session}/scenario`, { name });
    expect(res.status).toBe(200);
    const applied = ApplyResponseSchema.parse(await res.json());
    expect(applied.session).toMatchObject({ mode: 'timeline', scenario: { name, version: 2 } });
    expect(applied.session.shaping).toBe(`scenario "${name}" v2: timeline of 2 steps over 5000 ms`);

    const detail = SessionDetailResponseSchema.parse(await (await h.call('GET', `/admin/sessions/${session}`)).json());
    expect(detail.history[0]).toMatchObject({ kind: 'scenario', body: { name, version: 2 } });
    const shaping = await store.getShaping(session);
    expect(shaping?.state).toMatchObject({ mode: 'timeline', scenario: { name, version: 2 } });

    // Editing or deleting the scenario later leaves the session as it was applied.
    await h.call('DELETE', path(name));
    expect((await store.getShaping(session))?.version).toBe(shaping?.version);
  });

  it('answers 404 scenario_not_found for an unknown name and changes nothing', async () => {
    const session = `s-${randomBytes(6).toString('hex')}`;
    const res = await h.call('PUT', `/admin/sessions/${session}/scenario`, { name: unique('nobody made this') });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'scenario_not_found' } });
    expect(await store.getShaping(session)).toBeUndefined();
    const preset = await h.call('PUT', `/admin/sessions/${session}/scenario`, { name: 'slow-3g' });
    expect(await preset.json()).toMatchObject({ error: { code: 'invalid_body' } });
  });
});
