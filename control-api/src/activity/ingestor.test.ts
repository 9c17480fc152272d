import { MemoryBus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@downspin/testing';
import { startHarness } from '../test-support/harness.js';
import { ActivityIngestor } from './ingestor.js';

const now = Date.now();
const report = (sessionId: string, patch: Record<string, unknown> = {}) => ({
  sessionId,
  firstSeen: now - 1000,
  lastSeen: now,
  requests: 5,
  bytesIn: 50,
  bytesOut: 500,
  violations: 0,
  userAgent: 'curl/8.5.0',
  ip: '127.0.0.1',
  ...patch,
});

let store: SessionStore;
beforeAll(async () => {
  store = await createPgliteStore();
});
afterAll(async () => {
  await store.close();
});

describe('activity ingestion', () => {
  it('folds proxies’ activity reports into the store, with browser, country and risk', async () => {
    const h = await startHarness(store, { countryOf: (ip) => (ip === '203.0.113.9' ? 'NL' : '') });
    await h.bus.publish('activity', { type: 'activity', proxyId: 'p1', sessions: [report('ing-a'), report('ing-b', { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0' })] });
    await h.bus.publish('activity', { type: 'activity', proxyId: 'p2', sessions: [report('ing-a', { requests: 7, violations: 30, firstSeen: now - 5000 })] });
    await eventually(async () => {
      await h.app.flushActivity();
      expect(await store.getSession('ing-a')).toMatchObject({ requests: 12 });
    });
    expect(await store.getSession('ing-a')).toMatchObject({
      requests: 12,
      bytesIn: 100,
      violations: 30,
      firstSeen: now - 5000,
      lastSeen: now,
      browser: 'curl',
      country: null,
      // 30 violations (40) + curl (25) + no consent (10)
      risk: 75,
    });
    expect(await store.getSession('ing-b')).toMatchObject({ browser: 'Firefox', country: 'NL', risk: 10 });
    const risky = (await (await h.call('GET', '/admin/sessions?filter=high_risk')).json()) as { sessions: { browser: string }[] };
    expect(risky.sessions.map((s) => s.browser)).toEqual(['curl']);
    await h.close();
  });

  it('uses the local country lookup by default (loopback LO, private LAN)', async () => {
    const h = await startHarness(store);
    await h.bus.publish('activity', { type: 'activity', proxyId: 'p1', sessions: [report('ing-lo'), report('ing-lan', { ip: '192.168.1.20' })] });
    await eventually(async () => {
      await h.app.flushActivity();
      expect(await store.getSession('ing-lan')).toMatchObject({ country: 'LAN' });
    });
    expect(await store.getSession('ing-lo')).toMatchObject({ country: 'LO' });
    await h.close();
  });

  it('keeps the deltas while the store fails and writes them once it answers again', async () => {
    let failures = 1;
    const flaky = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'recordActivity' && failures > 0) {
          return async () => {
            failures--;
            throw new Error('store down');
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const ingestor = new ActivityIngestor({ store: flaky, logger: pino({ level: 'silent' }), countryOf: () => '', flushMs: 60_000 });
    ingestor.add([report('ing-retry', { requests: 3 })]);
    await ingestor.flush();
    expect(ingestor.stats()).toMatchObject({ pendingSessions: 1, lastError: 'store down' });
    ingestor.add([report('ing-retry', { requests: 4 })]);
    await ingestor.flush();
    expect(ingestor.stats()).toMatchObject({ pendingSessions: 0, lastError: undefined, flushes: 1 });
    expect(await store.getSession('ing-retry')).toMatchObject({ requests: 7 });
    await ingestor.close();
  });

  it('writes only the risk scores that changed', async () => {
    const scored: string[][] = [];
    const watched = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'setRisk') {
          return (scores: { sessionId: string; risk: number }[]) => {
            scored.push(scores.map((s) => s.sessionId));
            return target.setRisk(scores);
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const ingestor = new ActivityIngestor({ store: watched, logger: pino({ level: 'silent' }), countryOf: () => '', flushMs: 60_000 });
    ingestor.add([report('ing-same'), report('ing-rising')]);
    await ingestor.flush();
    expect(scored).toEqual([['ing-rising', 'ing-same']]);
    // More of the same for one, 30 violations for the other: only the second score moves.
    ingestor.add([report('ing-same', { requests: 1 }), report('ing-rising', { violations: 30 })]);
    await ingestor.flush();
    expect(scored[1]).toEqual(['ing-rising']);
    expect(await store.getSession('ing-rising')).toMatchObject({ risk: 75 });
    await ingestor.close();
  });

  it('scores again later, without adding the stored deltas twice, when only the risk write fails', async () => {
    let failures = 1;
    const flaky = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'setRisk' && failures > 0) {
          return async () => {
            failures--;
            throw new Error('risk write failed');
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const written: string[][] = [];
    const ingestor = new ActivityIngestor({ store: flaky, logger: pino({ level: 'silent' }), countryOf: () => '', flushMs: 60_000, onWritten: (ids) => written.push(ids) });
    ingestor.add([report('ing-risk', { requests: 3, violations: 30 })]);
    await ingestor.flush();
    expect(ingestor.stats()).toMatchObject({ pendingSessions: 0, lastError: 'risk write failed' });
    expect(await store.getSession('ing-risk')).toMatchObject({ requests: 3, risk: 0 });
    await ingestor.flush();
    // 30 violations (40) + curl (25) + no consent (10)
    expect(await store.getSession('ing-risk')).toMatchObject({ requests: 3, risk: 75 });
    expect(ingestor.stats()).toMatchObject({ lastError: undefined, flushes: 1 });
    expect(written).toEqual([['ing-risk']]);
    await ingestor.close();
  });

  it('drops and counts reports of new sessions beyond its buffer', async () => {
    const ingestor = new ActivityIngestor({ store, logger: pino({ level: 'silent' }), countryOf: () => '', maxPendingSessions: 2 });
    ingestor.add([report('cap-1'), report('cap-2'), report('cap-3'), report('cap-1')]);
    expect(ingestor.stats()).toMatchObject({ pendingSessions: 2, dropped: 1 });
    await ingestor.close();
    expect(await store.getSession('cap-1')).toMatchObject({ requests: 10 });
    expect(await store.getSession('cap-3')).toBeUndefined();
  });

  it('writes on its own timer, off the request path', async () => {
    const bus = new MemoryBus();
    const ingestor = new ActivityIngestor({ store, logger: pino({ level: 'silent' }), countryOf: () => '', flushMs: 50 });
    const stop = await ingestor.start(bus);
    await bus.publish('activity', { type: 'activity', proxyId: 'p', sessions: [report('ing-timer')] });
    await eventually(async () => expect(await store.getSession('ing-timer')).toMatchObject({ requests: 5 }));
    await stop();
    await ingestor.close();
    await bus.close();
  });
});
