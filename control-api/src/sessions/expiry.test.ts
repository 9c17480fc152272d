import { randomBytes } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { eventually } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi, type ServedApi } from '../test-support/served.js';

// Issue #12.6: every made-up id a proxy reports (or a hello brings) became a row forever.

const FLOOD = 2000;

let store: SessionStore;
let bus: MemoryBus;
let api: ServedApi;
beforeAll(async () => {
  store = await createPgliteStore();
  bus = new MemoryBus();
  api = await serveApi(store, bus, { sessionIdleTtlMs: 1500, sessionSweepMs: 100, activityFlushMs: 50 });
});
afterAll(async () => {
  await api.close();
  await bus.close();
  await store.close();
});

describe('idle session expiry (#12.6)', () => {
  it('deletes a flood of idle ids never shaped, and keeps a shaped session with its history', async () => {
    const shaped = `kept-${randomBytes(6).toString('hex')}`;
    expect((await api.call('POST', `/admin/sessions/${shaped}/downspin`, { latency_ms: 300 })).status).toBe(200);
    expect((await api.call('POST', `/admin/sessions/${shaped}/terminate`, { reason: 'done' })).status).toBe(200);

    const now = Date.now();
    const ids = Array.from({ length: FLOOD }, () => `flood-${randomBytes(8).toString('hex')}`);
    for (let i = 0; i < ids.length; i += 500) {
      const sessions = ids.slice(i, i + 500).map((sessionId) => ({
        sessionId, firstSeen: now, lastSeen: now, requests: 1, bytesIn: 0, bytesOut: 0, violations: 0, userAgent: 'flood/1', ip: '127.0.0.1',
      }));
      await bus.publish('activity', { type: 'activity', proxyId: 'p-flood', sessions });
    }
    await eventually(async () => {
      await api.app.flushActivity();
      expect(await store.getSession(ids.at(-1)!)).toMatchObject({ requests: 1 });
    });

    await eventually(
      async () => {
        expect((await store.listSessions('all', 100_000)).map((s) => s.id)).toEqual([shaped]);
      },
      20_000,
      100,
    );
    expect(api.app.expiry?.stats().expired).toBeGreaterThanOrEqual(FLOOD);
    expect(await store.getShaping(shaped)).toMatchObject({ version: 2, state: { mode: 'terminated', reason: 'done' } });
    expect((await store.history(shaped, 10)).map((c) => c.kind)).toEqual(['terminate', 'downspin']);
    const listed = (await (await api.call('GET', '/admin/sessions')).json()) as { sessions: { version: number }[] };
    expect(listed.sessions).toHaveLength(1);
  });
});
