import { randomBytes } from 'node:crypto';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { sessionHash, SessionViewSchema } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startHarness, type Harness } from '../test-support/harness.js';

const newId = (): string => `s-${randomBytes(6).toString('hex')}`;

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

describe('admin auth', () => {
  const routes: [string, string][] = [
    ['GET', '/admin/sessions'],
    ['GET', '/admin/sessions/s1'],
    ['POST', '/admin/sessions/s1/upspin'],
    ['POST', '/admin/sessions/s1/downspin'],
    ['POST', '/admin/sessions/s1/terminate'],
    ['POST', '/admin/sessions/s1/notify'],
    ['PUT', '/admin/sessions/s1/profile'],
    ['POST', '/admin/sessions/s1/timeline'],
    ['GET', '/admin/no-such-route'],
  ];
  const wrongKeys: [string, Record<string, string>][] = [
    ['missing', {}],
    ['wrong, same length', { 'x-api-key': ADMIN_KEY.replace(/.$/, 'X') }],
    ['wrong length', { 'x-api-key': 'short' }],
    ['longer', { 'x-api-key': `${ADMIN_KEY}-and-more` }],
    ['wrong bearer', { authorization: 'Bearer nope' }],
    ['empty', { 'x-api-key': '' }],
  ];

  it.each(wrongKeys)('answers 401 unauthorized on every /admin route with a %s key', async (_label, headers) => {
    for (const [method, path] of routes) {
      const res = await h.app.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'GET' ? undefined : '{}' });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(await res.json()).toEqual({
        error: { code: 'unauthorized', message: 'Missing or wrong API key: send X-API-Key or Authorization: Bearer.' },
      });
    }
    expect(await store.getSession('s1')).toBeUndefined();
  });

  it('accepts the key as X-API-Key or as a Bearer token', async () => {
    expect((await h.app.request('/admin/sessions', { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200);
    expect((await h.app.request('/admin/sessions', { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
  });

  it('answers unknown admin paths 404 once authenticated', async () => {
    const res = await h.call('GET', '/admin/no-such-route');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('GET /admin/sessions', () => {
  it('lists sessions by hash with their figures, filtered', async () => {
    const throttled = newId();
    const risky = newId();
    const calm = newId();
    await h.call('POST', `/admin/sessions/${throttled}/downspin`, { latency_ms: 700 });
    await store.recordActivity([
      { sessionId: risky, firstSeen: Date.now() - 1000, lastSeen: Date.now(), requests: 40, bytesIn: 4000, bytesOut: 9000, violations: 30, userAgent: 'curl/8.5.0', browser: 'curl', country: 'LO' },
      { sessionId: calm, firstSeen: Date.now() - 1000, lastSeen: Date.now(), requests: 2, bytesIn: 10, bytesOut: 20, violations: 0, userAgent: 'Mozilla/5.0 Firefox/130.0', browser: 'Firefox', country: 'LAN' },
    ]);
    await store.setRisk([{ sessionId: risky, risk: 85 }]);

    const all = await h.call('GET', '/admin/sessions');
    expect(all.status).toBe(200);
    const { sessions } = (await all.json()) as { sessions: unknown[] };
    for (const view of sessions) SessionViewSchema.parse(view);
    const text = JSON.stringify(sessions);
    for (const id of [throttled, risky, calm]) expect(text).not.toContain(id);
    const hashes = { throttled: await sessionHash(throttled), risky: await sessionHash(risky), calm: await sessionHash(calm) };
    expect(sessions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ hash: hashes.risky, requests: 40, violations: 30, risk: 85, browser: 'curl', country: 'LO', mode: 'none', throttled: false }),
        expect.objectContaining({ hash: hashes.throttled, mode: 'downspin', shaping: 'downspin: latency 700 ms', throttled: true, requests: 0 }),
      ]),
    );

    const listed = async (filter: string) =>
      (((await (await h.call('GET', `/admin/sessions?filter=${filter}`)).json()) as { sessions: { hash: string }[] }).sessions).map((s) => s.hash);
    expect(await listed('throttled')).toContain(hashes.throttled);
    expect(await listed('throttled')).not.toContain(hashes.risky);
    expect(await listed('high_risk')).toEqual([hashes.risky]);

    const limited = (await (await h.call('GET', '/admin/sessions?limit=1')).json()) as { sessions: unknown[] };
    expect(limited.sessions).toHaveLength(1);
  });

  it('answers 400 invalid_query naming the bad parameter', async () => {
    for (const query of ['filter=everything', 'limit=0', 'limit=abc', 'sort=asc']) {
      const res = await h.call('GET', `/admin/sessions?${query}`);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_query');
      expect(body.error.message).toContain(query.split('=')[0] === 'sort' ? 'sort' : query.split('=')[0]);
    }
  });
});

describe('GET /admin/sessions/:id', () => {
  it('shows one session by hash or by id, with its latest commands', async () => {
    const id = newId();
    await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 100 });
    await h.call('POST', `/admin/sessions/${id}/upspin`, {});
    const hash = await sessionHash(id);
    for (const ref of [hash, id]) {
      const res = await h.call('GET', `/admin/sessions/${ref}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        session: { hash, mode: 'upspin', version: 2 },
        history: [
          { version: 2, kind: 'upspin', body: {} },
          { version: 1, kind: 'downspin', body: { latency_ms: 100 } },
        ],
      });
    }
  });

  it('answers 404 session_not_found for an unknown hash or id, 400 for a malformed one', async () => {
    for (const ref of [newId(), '0123456789ab']) {
      const res = await h.call('GET', `/admin/sessions/${ref}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'session_not_found' } });
    }
    const bad = await h.call('GET', '/admin/sessions/bad%20id');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'malformed_session_id' } });
  });
});
