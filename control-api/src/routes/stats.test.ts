import { createPgliteStore, type SessionStore } from '@downspin/db';
import { AdminStatsSchema, type AdminStats } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@downspin/testing';
import { startFakeProxy } from '../test-support/fake-proxy.js';
import { startHarness } from '../test-support/harness.js';

let store: SessionStore;
beforeAll(async () => {
  store = await createPgliteStore();
});
afterAll(async () => {
  await store.close();
});

describe('GET /admin/stats', () => {
  it('sums the live proxies’ presence and telemetry tallies, and lists each proxy', async () => {
    const h = await startHarness(store);
    const a = await startFakeProxy(h.bus, {
      proxyId: 'proxy-a',
      figures: {
        sessions: 3,
        connections: 5,
        requestsPerSecond: 12.5,
        requestsTotal: 1000,
        webSockets: 2,
        url: 'http://127.0.0.1:8080',
        telemetry: { queued: 10, written: 900, spilled: 40, replayed: 30, dropped: 1 },
      },
    });
    const b = await startFakeProxy(h.bus, {
      proxyId: 'proxy-b',
      figures: { sessions: 4, connections: 1, requestsPerSecond: 0.25, requestsTotal: 50, telemetry: { queued: 0, written: 50, spilled: 0, replayed: 0, dropped: 6 } },
    });
    await eventually(() => expect(h.app.proxies.liveIds()).toHaveLength(2));

    const res = await h.call('GET', '/admin/stats');
    expect(res.status).toBe(200);
    const stats = AdminStatsSchema.parse(await res.json());
    expect(stats).toMatchObject({
      activeSessions: 7,
      connections: 6,
      webSockets: 2,
      requestsPerSecond: 12.75,
      requestsTotal: 1050,
      telemetry: { queued: 10, written: 950, spilled: 40, replayed: 30, dropped: 7 },
      bus: { kind: 'memory', ok: true },
      activity: { ingesting: true, dropped: 0, lastError: null },
      channels: { client: { connected: 0 }, dashboard: { connected: 0 } },
      clientEvents: { accepted: 0, rejected: 0 },
    });
    expect(stats.proxies.map((p) => [p.proxyId, p.sessions, p.url, p.telemetry?.written])).toEqual([
      ['proxy-a', 3, 'http://127.0.0.1:8080', 900],
      ['proxy-b', 4, null, 50],
    ]);
    expect(stats.bus.received).toBeGreaterThanOrEqual(2);

    // A proxy leaving no longer counts.
    await b.announce(false);
    await eventually(async () => expect(((await (await h.call('GET', '/admin/stats')).json()) as AdminStats).activeSessions).toBe(3));
    await a.close();
    await b.close();
    await h.close();
  });

  it('counts zero without proxies, and needs the key', async () => {
    const h = await startHarness(store);
    const stats = (await (await h.call('GET', '/admin/stats')).json()) as AdminStats;
    expect(stats).toMatchObject({ activeSessions: 0, requestsPerSecond: 0, proxies: [], telemetry: { written: 0, dropped: 0 } });
    const anonymous = await h.app.request('/admin/stats');
    expect(anonymous.status).toBe(401);
    await h.close();
  });

  it('is described in /openapi.json with its schema', async () => {
    const h = await startHarness(store);
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const described = JSON.stringify(doc.paths['/admin/stats']);
    for (const field of ['activeSessions', 'requestsPerSecond', 'telemetry', 'spilled', 'proxies', 'bus']) expect(described).toContain(field);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/metrics', '/events', '/admin/ws-ticket']));
    await h.close();
  });
});
