import { createPgliteStore, type SessionStore, type TelemetryStore } from '@downspin/db';
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

describe('GET /health', () => {
  it('is 200 with every dependency ok once a proxy is live, and needs no key', async () => {
    const h = await startHarness(store);
    const proxy = await startFakeProxy(h.bus, { proxyId: 'proxy-1' });
    await eventually(() => expect(h.app.proxies.liveIds()).toEqual(['proxy-1']));
    const res = await h.app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      dependencies: {
        store: { kind: 'pglite', ok: true, detail: 'pglite (in memory)' },
        bus: { kind: 'memory', ok: true, detail: expect.any(String) },
        proxies: { ok: true, detail: '1 live', live: ['proxy-1'] },
      },
      channels: { client: 0, dashboard: 0 },
    });
    await proxy.close();
    await h.close();
  });

  it('is 503 degraded when no proxy is live, or a proxy stopped reporting', async () => {
    const h = await startHarness(store, { presenceTtlMs: 200 });
    const none = await h.app.request('/health');
    expect(none.status).toBe(503);
    expect(await none.json()).toMatchObject({ status: 'degraded', dependencies: { proxies: { ok: false, detail: 'no live proxy', live: [] } } });

    const proxy = await startFakeProxy(h.bus, { proxyId: 'proxy-quiet' });
    await eventually(async () => expect((await h.app.request('/health')).status).toBe(200));
    // No further presence: after the TTL it no longer counts.
    await eventually(async () => expect((await h.app.request('/health')).status).toBe(503));
    await proxy.close();
    await h.close();
  });

  it('is 503 and names the failure when the store or the bus is down', async () => {
    const dead = await createPgliteStore();
    const h = await startHarness(dead);
    const proxy = await startFakeProxy(h.bus, { proxyId: 'proxy-2' });
    await eventually(() => expect(h.app.proxies.liveIds()).toHaveLength(1));
    await dead.close();
    const storeDown = await h.app.request('/health');
    expect(storeDown.status).toBe(503);
    expect(await storeDown.json()).toMatchObject({ dependencies: { store: { ok: false, detail: expect.stringContaining('closed') }, bus: { ok: true } } });

    await h.bus.close();
    expect(await (await h.app.request('/health')).json()).toMatchObject({ dependencies: { bus: { ok: false } } });
    await proxy.close().catch(() => undefined);
    await h.close();
  });
});

describe('GET /openapi.json', () => {
  it('shows the telemetry store, and is 503 while it is down', async () => {
    const healthy = { kind: 'clickhouse', ok: true, detail: 'clickhouse (default)' };
    let telemetryHealth = healthy;
    const telemetry = { kind: 'clickhouse', health: async () => telemetryHealth } as unknown as TelemetryStore;
    const h = await startHarness(store, { telemetry });
    const proxy = await startFakeProxy(h.bus, { proxyId: 'proxy-t' });
    await eventually(() => expect(h.app.proxies.liveIds()).toEqual(['proxy-t']));
    const up = await h.app.request('/health');
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ dependencies: { telemetry: { kind: 'clickhouse', ok: true } } });
    telemetryHealth = { ...healthy, ok: false, detail: 'unreachable: ECONNREFUSED' };
    const down = await h.app.request('/health');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'degraded',
      dependencies: { telemetry: { ok: false, detail: 'unreachable: ECONNREFUSED' } },
    });
    await proxy.close();
    await h.close();
  });

  it('describes every route from the validating schemas, without a key', async () => {
    const h = await startHarness(store);
    const res = await h.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown }>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/admin/sessions', '/admin/sessions/{id}', '/admin/sessions/{id}/downspin', '/admin/sessions/{id}/profile']),
    );
    expect(JSON.stringify(doc.paths['/admin/sessions/{id}/downspin']!.post!.requestBody)).toContain('latency_ms');
    expect(doc.paths['/admin/sessions']!.get!.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
    expect(doc.paths['/health']!.get!.security).toBeUndefined();
    await h.close();
  });
});
