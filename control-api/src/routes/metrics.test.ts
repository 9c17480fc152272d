import { randomBytes } from 'node:crypto';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { MemoryBus } from '@downspin/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@downspin/testing';
import { startFakeProxy } from '../test-support/fake-proxy.js';
import { ADMIN_KEY, startHarness, type Harness } from '../test-support/harness.js';
import { histogramCount, parseMetrics, value, type Families } from '../test-support/prometheus.js';
import { serveApi } from '../test-support/served.js';

const newId = (): string => `m-${randomBytes(6).toString('hex')}`;

let store: SessionStore;
beforeAll(async () => {
  store = await createPgliteStore();
});
afterAll(async () => {
  await store.close();
});

async function scrape(h: Harness): Promise<Families> {
  const res = await h.app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

describe('GET /metrics', () => {
  it('parses as Prometheus text, with process metrics and the live proxies’ figures', async () => {
    const h = await startHarness(store);
    const proxy = await startFakeProxy(h.bus, {
      proxyId: 'proxy-m',
      figures: { sessions: 3, connections: 4, requestsPerSecond: 2.5, requestsTotal: 77, telemetry: { queued: 5, written: 60, spilled: 2, replayed: 1, dropped: 3 } },
    });
    await eventually(() => expect(h.app.proxies.liveIds()).toEqual(['proxy-m']));
    const m = await scrape(h);
    expect(value(m, 'downspin_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(m, 'downspin_proxies_live')).toBe(1);
    expect(value(m, 'downspin_proxy_sessions', { proxy: 'proxy-m' })).toBe(3);
    expect(value(m, 'downspin_proxy_connections', { proxy: 'proxy-m' })).toBe(4);
    expect(value(m, 'downspin_proxy_requests_per_second', { proxy: 'proxy-m' })).toBe(2.5);
    expect(value(m, 'downspin_proxy_requests_total', { proxy: 'proxy-m' })).toBe(77);
    expect(value(m, 'downspin_telemetry_rows_queued', { proxy: 'proxy-m' })).toBe(5);
    expect(value(m, 'downspin_telemetry_rows_total', { outcome: 'written' })).toBe(60);
    expect(value(m, 'downspin_telemetry_rows_total', { outcome: 'spilled' })).toBe(2);
    expect(value(m, 'downspin_telemetry_rows_total', { outcome: 'dropped' })).toBe(3);
    expect(value(m, 'downspin_bus_up')).toBe(1);
    expect(value(m, 'downspin_bus_messages_total', { direction: 'received' })).toBeGreaterThanOrEqual(1);
    expect(value(m, 'downspin_ws_clients', { channel: 'client' })).toBe(0);
    expect(m.get('downspin_shaping_commands_total')?.type).toBe('COUNTER');

    // Gone proxies drop out of the next scrape instead of lingering.
    await proxy.announce(false);
    await eventually(async () => expect(value(await scrape(h), 'downspin_proxies_live')).toBe(0));
    expect((await scrape(h)).get('downspin_proxy_sessions')?.metrics ?? []).toEqual([]);
    await proxy.close();
    await h.close();
  });

  it('moves when shaping commands are sent: by kind and outcome, with the ack wait', async () => {
    const h = await startHarness(store, { ackTimeoutMs: 300 });
    const good = await startFakeProxy(h.bus, { proxyId: 'proxy-good' });
    await eventually(() => expect(h.app.proxies.liveIds()).toHaveLength(1));
    const before = await scrape(h);
    expect(value(before, 'downspin_shaping_commands_total', { kind: 'downspin' })).toBe(0);

    const id = newId();
    expect((await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 100 })).status).toBe(200);
    expect((await h.call('POST', `/admin/sessions/${id}/upspin`, {})).status).toBe(200);
    expect((await h.call('POST', `/admin/sessions/${id}/notify`, { message: 'hi', type: 'warning' })).status).toBe(202);
    expect((await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: -1 })).status).toBe(400);
    let m = await scrape(h);
    expect(value(m, 'downspin_shaping_commands_total', { kind: 'downspin', outcome: 'acknowledged' })).toBe(1);
    expect(value(m, 'downspin_shaping_commands_total', { kind: 'upspin', outcome: 'acknowledged' })).toBe(1);
    expect(histogramCount(m, 'downspin_shaping_ack_wait_seconds', { outcome: 'acknowledged' })).toBe(2);
    expect(value(m, 'downspin_notifications_total', { type: 'warning' })).toBe(1);
    // HTTP requests by route template, not by raw path.
    expect(value(m, 'downspin_http_requests_total', { method: 'POST', route: '/admin/sessions/:id/downspin', status: '200' })).toBe(1);
    expect(value(m, 'downspin_http_requests_total', { method: 'POST', route: '/admin/sessions/:id/downspin', status: '400' })).toBe(1);
    expect(JSON.stringify([...m.values()])).not.toContain(id);
    // Unknown paths do not become labels of their own (no unbounded series).
    // A word no figure can contain: digits turned up inside a heap size once (42423312).
    await h.app.request('/no-such-page-unlabelled');
    await h.app.request('/admin/no-such-thing-unlabelled');
    expect((await scrape(h)).text).not.toContain('unlabelled');

    // A proxy that never acks: the command ends pending.
    const mute = await startFakeProxy(h.bus, { proxyId: 'proxy-mute', acks: false });
    await eventually(() => expect(h.app.proxies.liveIds()).toHaveLength(2));
    expect((await h.call('PUT', `/admin/sessions/${id}/profile`, { preset: 'slow-3g' })).status).toBe(200);
    m = await scrape(h);
    expect(value(m, 'downspin_shaping_commands_total', { kind: 'profile', outcome: 'pending' })).toBe(1);
    expect(histogramCount(m, 'downspin_shaping_ack_wait_seconds', { outcome: 'pending' })).toBe(1);

    // Refused with the bus down: failed.
    await h.bus.close();
    expect((await h.call('POST', `/admin/sessions/${id}/terminate`, {})).status).toBe(503);
    m = await scrape(h);
    expect(value(m, 'downspin_shaping_commands_total', { kind: 'terminate', outcome: 'failed' })).toBe(1);
    expect(value(m, 'downspin_bus_up')).toBe(0);
    await good.close().catch(() => undefined);
    await mute.close().catch(() => undefined);
    await h.close();
  });

  it('keeps one registry per app: two apps in one process count apart', async () => {
    const one = await startHarness(store);
    const two = await startHarness(store);
    await one.call('POST', `/admin/sessions/${newId()}/upspin`, {});
    expect(value(await scrape(one), 'downspin_shaping_commands_total', { kind: 'upspin' })).toBe(1);
    expect(value(await scrape(two), 'downspin_shaping_commands_total', { kind: 'upspin' })).toBe(0);
    await one.close();
    await two.close();
  });

  it('needs no key from this machine, and the key from anywhere else', async () => {
    const h = await startHarness(store);
    const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });
    expect((await h.app.request('/metrics', {}, from('127.0.0.1'))).status).toBe(200);
    expect((await h.app.request('/metrics', {}, from('::ffff:127.0.0.1'))).status).toBe(200);
    expect((await h.app.request('/metrics', {}, from('::1'))).status).toBe(200);
    const remote = await h.app.request('/metrics', {}, from('198.51.100.7'));
    expect(remote.status).toBe(401);
    expect(await remote.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const withKey = await h.app.request('/metrics', { headers: { authorization: `Bearer ${ADMIN_KEY}` } }, from('198.51.100.7'));
    expect(withKey.status).toBe(200);
    await h.close();
  });

  it('over a real socket: open from loopback by default; key-only when configured', async () => {
    const bus = new MemoryBus();
    const local = await serveApi(store, bus);
    const strict = await serveApi(store, bus, { metricsAccess: 'key' });
    try {
      const res = await fetch(`${local.url}/metrics`);
      expect(res.status).toBe(200);
      expect(parseMetrics(await res.text()).has('downspin_ws_clients')).toBe(true);
      expect((await fetch(`${strict.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${strict.url}/metrics`, { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200);
    } finally {
      await local.close();
      await strict.close();
      await bus.close();
    }
  });
});
