import { randomBytes } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { sessionHash, ServerToDashboardSchema, type ServerToDashboard } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY } from '../test-support/harness.js';
import { serveApi, type ServedApi } from '../test-support/served.js';
import { connect, refusal, type TestSocket } from '@downspin/testing';

const newId = (): string => `d-${randomBytes(6).toString('hex')}`;

let store: SessionStore;
let bus: MemoryBus;
let api: ServedApi;

beforeAll(async () => {
  store = await createPgliteStore();
  bus = new MemoryBus();
  api = await serveApi(store, bus, { activityFlushMs: 100, channels: { statsIntervalMs: 200 } });
});
afterAll(async () => {
  await api?.close();
  await bus?.close();
  await store?.close();
});

async function ticket(): Promise<string> {
  const res = await api.call('POST', '/admin/ws-ticket');
  expect(res.status).toBe(201);
  const body = (await res.json()) as { ticket: string; path: string; expiresAt: string };
  expect(body.path).toBe(`/ws/dashboard?ticket=${encodeURIComponent(body.ticket)}`);
  expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(20_000);
  return body.path;
}

/** A dashboard as the browser opens it: same origin, with a ticket. */
async function dashboard(): Promise<TestSocket> {
  const socket = await connect(`${api.wsUrl}${await ticket()}`, { origin: api.url });
  await socket.next((m) => m.type === 'snapshot');
  return socket;
}

const typed = (m: Record<string, unknown>): ServerToDashboard => ServerToDashboardSchema.parse(m);

describe('WS /ws/dashboard: who may connect', () => {
  it('takes a ticket once; a used, forged or missing ticket is 401', async () => {
    const path = await ticket();
    const first = await connect(`${api.wsUrl}${path}`, { origin: api.url });
    await first.next((m) => m.type === 'snapshot');
    first.close();
    expect((await refusal(`${api.wsUrl}${path}`, { origin: api.url })).status).toBe(401);
    expect((await refusal(`${api.wsUrl}/ws/dashboard?ticket=v1.zzzzzz.abc.def`, { origin: api.url })).status).toBe(401);
    const none = await refusal(`${api.wsUrl}/ws/dashboard`, { origin: api.url });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('needs the API key to issue tickets', async () => {
    const res = await fetch(`${api.url}/admin/ws-ticket`, { method: 'POST' });
    expect(res.status).toBe(401);
  });

  it('takes X-API-Key or a bearer token on the upgrade from a non-browser client', async () => {
    const ways: Record<string, string>[] = [{ 'x-api-key': ADMIN_KEY }, { authorization: `Bearer ${ADMIN_KEY}` }];
    for (const headers of ways) {
      const socket = await connect(`${api.wsUrl}/ws/dashboard`, { headers });
      await socket.next((m) => m.type === 'snapshot');
      socket.close();
    }
    expect((await refusal(`${api.wsUrl}/ws/dashboard`, { headers: { 'x-api-key': 'wrong-key-0123456789' } })).status).toBe(401);
  });

  it('refuses another origin with 403 before checking anything else, even with a valid ticket', async () => {
    for (const origin of ['https://evil.example', 'chrome-extension://abcdefghijklmnop', 'http://127.0.0.1:1']) {
      const refused = await refusal(`${api.wsUrl}${await ticket()}`, { origin });
      expect(refused.status, origin).toBe(403);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'forbidden_origin' } });
    }
  });
});

describe('WS /ws/dashboard: what it pushes', () => {
  it('starts with a snapshot of sessions and stats', async () => {
    const id = newId();
    await api.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 700 });
    const socket = await dashboard();
    const snapshot = typed(socket.messages[0] as Record<string, unknown>);
    expect(snapshot.type).toBe('snapshot');
    if (snapshot.type !== 'snapshot') return;
    expect(snapshot.sessions.find((s) => s.mode === 'downspin' && s.shaping === 'downspin: latency 700 ms')).toBeDefined();
    expect(snapshot.stats.channels.dashboard.connected).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(snapshot)).not.toContain(id);
    socket.close();
  });

  it('pushes a session within a second of the activity a proxy reports', async () => {
    const socket = await dashboard();
    const id = newId();
    const hash = await sessionHash(id);
    const now = Date.now();
    const started = performance.now();
    await bus.publish('activity', {
      type: 'activity',
      proxyId: 'proxy-d',
      sessions: [{ sessionId: id, firstSeen: now, lastSeen: now, requests: 9, bytesIn: 10, bytesOut: 2000, violations: 0, userAgent: 'Mozilla/5.0 Firefox/130.0', ip: '127.0.0.1' }],
    });
    const push = typed(await socket.next((m) => m.type === "sessions" && JSON.stringify(m).includes(hash), 5000));
    // Flush (100 ms here), then a push at once (nothing was pushed just before), + slack for a busy machine.
    expect(performance.now() - started).toBeLessThan(2500);
    expect(push.type === 'sessions' && push.sessions.find((s) => s.hash === hash)).toMatchObject({ requests: 9, bytesOut: 2000, country: 'LO' });
    socket.close();
  });

  it('pushes shaping changes batched: at most one message per push interval, the latest state of each', async () => {
    const socket = await dashboard();
    const ids = [newId(), newId(), newId()];
    const hashes = await Promise.all(ids.map(sessionHash));
    const pushes = () => socket.messages.filter((m) => (m as { type: string }).type === 'sessions').length;
    const before = pushes();
    const started = performance.now();
    for (let round = 0; round < 4; round++) {
      for (const id of ids) await api.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 100 * (round + 1) });
    }
    // The last state of every session arrives...
    const last = (hash: string) => (m: Record<string, unknown>) =>
      m.type === 'sessions' && (m.sessions as { hash: string; shaping: string }[]).some((s) => s.hash === hash && s.shaping === 'downspin: latency 400 ms');
    for (const hash of hashes) await socket.next(last(hash));
    // ...in fewer messages than the 12 changes: one per 500 ms tick at most.
    const elapsed = performance.now() - started;
    expect(pushes() - before).toBeLessThanOrEqual(Math.floor(elapsed / 450) + 1);
    socket.close();
  });

  it('ticks stats, and alerts once when a session crosses into high risk', async () => {
    const socket = await dashboard();
    const stats = typed(await socket.next((m) => m.type === 'stats'));
    expect(stats.type === 'stats' && stats.stats.bus.kind).toBe('memory');

    const id = newId();
    const hash = await sessionHash(id);
    const now = Date.now();
    const report = (violations: number) => ({
      type: 'activity' as const,
      proxyId: 'proxy-d',
      sessions: [{ sessionId: id, firstSeen: now - 60_000, lastSeen: now, requests: 400, bytesIn: 0, bytesOut: 0, violations, userAgent: 'python-requests/2.31', ip: '127.0.0.1' }],
    });
    // curl-like client, no consent, 400/min: 60 points, not yet high risk.
    await bus.publish('activity', report(0));
    await socket.next((m) => m.type === 'sessions' && JSON.stringify(m).includes(hash));
    expect(socket.messages.some((m) => (m as { type: string }).type === 'alert')).toBe(false);
    // Five violations: 70.
    await bus.publish('activity', report(5));
    const alert = typed(await socket.next((m) => m.type === 'alert'));
    expect(alert).toMatchObject({ type: 'alert', alert: { kind: 'high_risk', sessionHash: hash, risk: 70 } });
    // Still high risk on the next report: no second alert.
    await bus.publish('activity', report(1));
    await socket.next((m) => m.type === 'sessions' && JSON.stringify(m).includes('"risk":72'));
    expect(socket.messages.filter((m) => (m as { type: string }).type === 'alert')).toHaveLength(1);
    socket.close();
  });

  it('answers resync with a new snapshot and drops anything else', async () => {
    const socket = await dashboard();
    const before = api.app.channels.dashboard.stats().dropped;
    socket.send({ type: 'subscribe', everything: true });
    socket.send('garbage');
    socket.send({ type: 'resync' });
    await socket.next((m) => m.type === 'snapshot' && socket.messages.filter((x) => (x as { type: string }).type === 'snapshot').length === 2);
    expect(api.app.channels.dashboard.stats().dropped).toBe(before + 2);
    socket.close();
  });
});
