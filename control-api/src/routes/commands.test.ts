import { randomBytes } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { presetProfile, sessionHash, type ClientDelivery } from '@downspin/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@downspin/testing';
import { startFakeProxy } from '../test-support/fake-proxy.js';
import { startHarness, type Harness } from '../test-support/harness.js';

const newId = (): string => `s-${randomBytes(6).toString('hex')}`;

let store: SessionStore;
beforeAll(async () => {
  store = await createPgliteStore();
});
afterAll(async () => {
  await store.close();
});

describe('session commands with no live proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(store);
  });
  afterAll(async () => {
    await h.close();
  });

  it('shapes a session id never seen, answering at once as acknowledged', async () => {
    const id = newId();
    const res = await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 300 });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      session: { hash: await sessionHash(id), mode: 'downspin', shaping: 'downspin: latency 300 ms', throttled: true, version: 1 },
      applied: { version: 1, acknowledged: true, appliedBy: [], pending: [] },
    });
    expect(JSON.stringify(body)).not.toContain(id);
  });

  it('takes downspin without a body (2000 ms) and upspin with an empty one', async () => {
    const id = newId();
    const down = await h.app.request(`/admin/sessions/${id}/downspin`, { method: 'POST', headers: { 'x-api-key': 'test-admin-key-0123456789' } });
    expect(down.status).toBe(200);
    expect(await down.json()).toMatchObject({ session: { shaping: 'downspin: latency 2000 ms' } });
    const up = await h.call('POST', `/admin/sessions/${id}/upspin`, '', { 'content-type': 'application/json' });
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ session: { mode: 'upspin', throttled: false, version: 2 }, applied: { version: 2 } });
  });

  it('accepts the hash of a known session in place of its id', async () => {
    const id = newId();
    await h.call('POST', `/admin/sessions/${id}/upspin`, {});
    const hash = await sessionHash(id);
    const res = await h.call('PUT', `/admin/sessions/${hash}/profile`, { preset: 'slow-3g' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ session: { hash, mode: 'profile', version: 2 } });
    expect(await store.getShaping(id)).toMatchObject({
      version: 2,
      state: { mode: 'profile', preset: 'slow-3g', profile: presetProfile('slow-3g') },
    });
    // The hash did not become a session of its own.
    expect(await store.getSession(hash)).toBeUndefined();
  });

  it('puts a session back to mode none with the none preset or an empty profile', async () => {
    const id = newId();
    await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 100 });
    const viaPreset = await h.call('PUT', `/admin/sessions/${id}/profile`, { preset: 'none' });
    expect(await viaPreset.json()).toMatchObject({ session: { mode: 'none', shaping: 'no shaping', throttled: false, version: 2 } });
    await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 100 });
    const viaProfile = await h.call('PUT', `/admin/sessions/${id}/profile`, { profile: { routes: ['/api/**'] } });
    expect(await viaProfile.json()).toMatchObject({ session: { mode: 'none', version: 4 } });
    expect(await store.getShaping(id)).toMatchObject({ version: 4, state: { mode: 'none' } });
  });

  it('rejects an invalid profile with the field named, and changes nothing', async () => {
    const id = newId();
    await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 500 });
    const res = await h.call('PUT', `/admin/sessions/${id}/profile`, { profile: { latency: { ms: -5 } } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_body');
    expect(body.error.message).toContain('profile.latency.ms');

    const unknownPreset = await h.call('POST', `/admin/sessions/${id}/timeline`, { steps: [{ atMs: 0, preset: 'warp-speed' }] });
    expect(unknownPreset.status).toBe(400);
    expect(((await unknownPreset.json()) as { error: { message: string } }).error.message).toContain('steps.0.preset');

    const get = await h.call('GET', `/admin/sessions/${id}`);
    expect(await get.json()).toMatchObject({ session: { version: 1, mode: 'downspin', shaping: 'downspin: latency 500 ms' } });
    expect(await store.history(id, 10)).toHaveLength(1);
  });

  it('answers 400 invalid_json, 415 and 413 before anything is stored', async () => {
    const id = newId();
    const badJson = await h.call('POST', `/admin/sessions/${id}/downspin`, '{"latency_ms": ');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 'invalid_json' } });

    const text = await h.call('POST', `/admin/sessions/${id}/downspin`, 'latency_ms=5', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });

    const huge = await h.call('POST', `/admin/sessions/${id}/notify`, { message: 'x'.repeat(70 * 1024) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: 'payload_too_large' } });

    const unknownKey = await h.call('POST', `/admin/sessions/${id}/downspin`, { latency: 5 });
    expect(unknownKey.status).toBe(400);
    expect(((await unknownKey.json()) as { error: { message: string } }).error.message).toContain('latency');

    expect(await store.getSession(id)).toBeUndefined();
  });

  it('answers 400 malformed_session_id for an id outside A-Za-z0-9_- or too long', async () => {
    for (const bad of ['has%20space', 'semi;colon', 'x'.repeat(129), '%C3%A9t%C3%A9']) {
      const res = await h.call('POST', `/admin/sessions/${bad}/upspin`, {});
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'malformed_session_id' } });
    }
  });

  it('resolves presets in timeline steps and starts the timeline now', async () => {
    const id = newId();
    const before = Date.now();
    const res = await h.call('POST', `/admin/sessions/${id}/timeline`, {
      steps: [
        { atMs: 0, preset: 'offline' },
        { atMs: 3000, profile: { latency: { ms: 100 } } },
      ],
    });
    expect(res.status).toBe(200);
    const stored = await store.getShaping(id);
    expect(stored?.state).toMatchObject({
      mode: 'timeline',
      steps: [
        { atMs: 0, preset: 'offline', profile: presetProfile('offline') },
        { atMs: 3000, profile: { latency: { ms: 100, jitterMs: 0, distribution: 'uniform' } } },
      ],
    });
    expect(stored?.state.mode === 'timeline' && stored.state.startedAt).toBeGreaterThanOrEqual(before);
  });

  it('terminates with a reason, and tells the client channel', async () => {
    const id = newId();
    const deliveries: ClientDelivery[] = [];
    const stop = await h.bus.subscribe('client', (d) => {
      if (d.sessionId === id) deliveries.push(d);
    });
    const res = await h.call('POST', `/admin/sessions/${id}/terminate`, { reason: 'test over' });
    expect(await res.json()).toMatchObject({ session: { mode: 'terminated', shaping: 'terminated: test over' } });
    await eventually(() => expect(deliveries.map((d) => d.message)).toEqual([{ type: 'terminate', reason: 'test over' }]));
    await stop();
  });

  it('publishes notify as a ClientDelivery on the client channel, without changing shaping', async () => {
    const id = newId();
    const deliveries: ClientDelivery[] = [];
    const stop = await h.bus.subscribe('client', (d) => {
      if (d.sessionId === id) deliveries.push(d);
    });
    const res = await h.call('POST', `/admin/sessions/${id}/notify`, { message: 'Deploy in 5 minutes', type: 'warning' });
    expect(res.status).toBe(202);
    const { notification } = (await res.json()) as { notification: { id: string } };
    await eventually(() =>
      expect(deliveries).toEqual([
        { type: 'client', sessionId: id, message: { type: 'notify', id: notification.id, message: 'Deploy in 5 minutes', level: 'warning' } },
      ]),
    );
    expect(await store.getShaping(id)).toBeUndefined();
    const missing = await h.call('POST', `/admin/sessions/${id}/notify`, { type: 'info' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('message');
    await stop();
  });
});

describe('session commands with live proxies', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('waits for every live proxy to acknowledge before answering', async () => {
    h = await startHarness(store, { ackTimeoutMs: 5000 });
    const a = await startFakeProxy(h.bus, { proxyId: 'proxy-a' });
    const b = await startFakeProxy(h.bus, { proxyId: 'proxy-b' });
    await eventually(() => expect(h.app.proxies.liveIds().sort()).toEqual(['proxy-a', 'proxy-b']));
    const id = newId();
    const res = await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 250 });
    expect(await res.json()).toMatchObject({
      applied: { version: 1, acknowledged: true, appliedBy: ['proxy-a', 'proxy-b'], pending: [] },
    });
    for (const proxy of [a, b]) {
      expect(proxy.commands.map((c) => c.shaping)).toEqual([
        expect.objectContaining({ sessionId: id, version: 1, state: { mode: 'downspin', latencyMs: 250 } }),
      ]);
    }
    await a.close();
    await b.close();
  });

  it('lists the proxies that did not acknowledge after the timeout', async () => {
    h = await startHarness(store, { ackTimeoutMs: 300 });
    const good = await startFakeProxy(h.bus, { proxyId: 'proxy-good' });
    const mute = await startFakeProxy(h.bus, { proxyId: 'proxy-mute', acks: false });
    await eventually(() => expect(h.app.proxies.liveIds()).toHaveLength(2));
    const started = performance.now();
    const res = await h.call('PUT', `/admin/sessions/${newId()}/profile`, { preset: 'fast-3g' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      session: { mode: 'profile', version: 1 },
      applied: { version: 1, acknowledged: false, appliedBy: ['proxy-good'], pending: ['proxy-mute'] },
    });
    expect(mute.commands).toHaveLength(1);
    await good.close();
    await mute.close();
  });

  it('stops waiting for a proxy that announces it is leaving', async () => {
    h = await startHarness(store, { ackTimeoutMs: 10_000 });
    const mute = await startFakeProxy(h.bus, { proxyId: 'proxy-leaving', acks: false });
    await eventually(() => expect(h.app.proxies.liveIds()).toEqual(['proxy-leaving']));
    const pending = h.call('POST', `/admin/sessions/${newId()}/upspin`, {});
    await eventually(() => expect(mute.commands).toHaveLength(1));
    await mute.announce(false);
    const res = await pending;
    expect(await res.json()).toMatchObject({ applied: { acknowledged: true, appliedBy: [], pending: [] } });
    await mute.close();
  });
});

describe('session commands when a dependency fails', () => {
  it('answers 503 bus_unavailable and keeps the old shaping when publishing fails', async () => {
    class BrokenPublishBus extends MemoryBus {
      override async publish(): Promise<void> {
        throw new Error('connection lost');
      }
    }
    const h = await startHarness(store, { bus: new BrokenPublishBus() });
    const id = newId();
    await store.applyShaping({ sessionId: id, state: { mode: 'upspin' }, command: { kind: 'upspin', body: {} } });
    const res = await h.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 100 });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'bus_unavailable' } });
    expect(await store.getShaping(id)).toMatchObject({ version: 1, state: { mode: 'upspin' } });
    expect(await store.history(id, 10)).toHaveLength(1);
    await h.close();
  });

  it('answers 503 bus_unavailable without touching the store when the bus is down', async () => {
    const h = await startHarness(store);
    await h.bus.close();
    const id = newId();
    const res = await h.call('POST', `/admin/sessions/${id}/downspin`, {});
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'bus_unavailable' } });
    expect(await store.getSession(id)).toBeUndefined();
    await h.close();
  });

  // A PGlite of its own starts in seconds alone, but tens of seconds beside the whole suite on 2 cores.
  it('answers 503 store_unavailable when the store is gone', { timeout: 120_000 }, async () => {
    const dead = await createPgliteStore();
    const h = await startHarness(dead);
    await dead.close();
    const res = await h.call('POST', `/admin/sessions/${newId()}/downspin`, {});
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'store_unavailable', message: expect.stringContaining('nothing was changed') } });
    const list = await h.call('GET', '/admin/sessions');
    expect(list.status).toBe(503);
    await h.close();
  });
});
