import { randomBytes } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi, type ServedApi } from '../test-support/served.js';

// Issue #12.8: values the store or the proxy cannot take are refused at the schema with a
// clear 400 (before: NUL or a lone surrogate reached PostgreSQL and came back 503
// store_unavailable; 1e-9 kbps overflowed a timer; 5e-324 rps sent Retry-After: Infinity).

const newId = (): string => `bad-${randomBytes(6).toString('hex')}`;
const NUL = 'stop\u0000here';
const LONE_SURROGATE = 'half \uD83D of an emoji';

let store: SessionStore;
let bus: MemoryBus;
let api: ServedApi;
beforeAll(async () => {
  store = await createPgliteStore();
  bus = new MemoryBus();
  api = await serveApi(store, bus);
});
afterAll(async () => {
  await api.close();
  await bus.close();
  await store.close();
});

interface Refusal {
  method: string;
  path: (id: string) => string;
  body: unknown;
  /** Words the message must contain: the field, and what is wrong with it. */
  says: string[];
}

const CONTROL = 'control characters';
const cases: Record<string, Refusal> = {
  'a NUL in a terminate reason': { method: 'POST', path: (id) => `/admin/sessions/${id}/terminate`, body: { reason: NUL }, says: ['reason', CONTROL] },
  'a lone surrogate in a terminate reason': {
    method: 'POST',
    path: (id) => `/admin/sessions/${id}/terminate`,
    body: { reason: LONE_SURROGATE },
    says: ['reason', 'unpaired surrogates'],
  },
  'a NUL in a route glob': {
    method: 'PUT',
    path: (id) => `/admin/sessions/${id}/profile`,
    body: { profile: { latency: { ms: 10 }, routes: ['/api/**', `/x${NUL}`] } },
    says: ['profile.routes.1', CONTROL],
  },
  'a lone surrogate in a route glob': {
    method: 'PUT',
    path: (id) => `/admin/sessions/${id}/profile`,
    body: { profile: { latency: { ms: 10 }, routes: [`/${LONE_SURROGATE}`] } },
    says: ['profile.routes.0', 'unpaired surrogates'],
  },
  'a control character in a notify message': {
    method: 'POST',
    path: (id) => `/admin/sessions/${id}/notify`,
    body: { message: 'ring \u0007 the bell' },
    says: ['message', CONTROL],
  },
  'bandwidth.downKbps 1e-9': {
    method: 'PUT',
    path: (id) => `/admin/sessions/${id}/profile`,
    body: { profile: { bandwidth: { downKbps: 1e-9 } } },
    says: ['profile.bandwidth.downKbps', '>=1'],
  },
  'bandwidth.upKbps 0.5': {
    method: 'PUT',
    path: (id) => `/admin/sessions/${id}/profile`,
    body: { profile: { bandwidth: { upKbps: 0.5 } } },
    says: ['profile.bandwidth.upKbps', '>=1'],
  },
  'rateLimit.rps 5e-324': {
    method: 'PUT',
    path: (id) => `/admin/sessions/${id}/profile`,
    body: { profile: { rateLimit: { rps: 5e-324 } } },
    says: ['profile.rateLimit.rps', '>=0.01'],
  },
  'a timeline step with rateLimit.rps 1e-6': {
    method: 'POST',
    path: (id) => `/admin/sessions/${id}/timeline`,
    body: { steps: [{ atMs: 0, preset: 'slow-3g' }, { atMs: 1000, profile: { rateLimit: { rps: 1e-6 } } }] },
    says: ['steps.1.profile.rateLimit.rps', '>=0.01'],
  },
  'a timeline step with a NUL in a route glob': {
    method: 'POST',
    path: (id) => `/admin/sessions/${id}/timeline`,
    body: { steps: [{ atMs: 0, profile: { latency: { ms: 5 }, routes: [`/${NUL}`] } }] },
    says: ['steps.0.profile.routes.0', CONTROL],
  },
};

describe('bad values in commands (#12.8)', () => {
  for (const [name, refusal] of Object.entries(cases)) {
    it(`answers 400 invalid_body naming the field for ${name}, and keeps the session's shaping`, async () => {
      const id = newId();
      const before = await api.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 250 });
      expect(before.status).toBe(200);

      const res = await api.call(refusal.method, refusal.path(id), refusal.body);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, body.error.message).toBe(400);
      expect(body.error.code).toBe('invalid_body');
      for (const words of refusal.says) expect(body.error.message).toContain(words);

      // Nothing lost: the previous shaping and its history are as they were.
      expect(await store.getShaping(id)).toMatchObject({ version: 1, state: { mode: 'downspin', latencyMs: 250 } });
      expect(await store.history(id, 10)).toHaveLength(1);
    });
  }

  it('still takes the slowest allowed values, and text with tabs trimmed at the ends', async () => {
    const id = newId();
    const profile = await api.call('PUT', `/admin/sessions/${id}/profile`, {
      profile: { bandwidth: { downKbps: 1, upKbps: 1 }, rateLimit: { rps: 0.01 }, routes: ['/ünïcode/😀/**'] },
    });
    expect(profile.status).toBe(200);
    const terminate = await api.call('POST', `/admin/sessions/${id}/terminate`, { reason: '\tdone 😀\n' });
    expect(terminate.status).toBe(200);
    expect(await store.getShaping(id)).toMatchObject({ version: 2, state: { mode: 'terminated', reason: 'done 😀' } });
  });
});
