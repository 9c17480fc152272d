import { createPgliteStore, type SessionStore } from '@downspin/db';
import { sessionHash } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@downspin/testing';
import { startHarness, type Harness } from '../test-support/harness.js';

let store: SessionStore;
let h: Harness;
beforeAll(async () => {
  store = await createPgliteStore();
  h = await startHarness(store, { activityFlushMs: 50 });
});
afterAll(async () => {
  await h.close();
  await store.close();
});

const HOUR = 3_600_000;

describe('GET /admin/alerts', () => {
  it('lists high-risk and banned sessions seen in the range with their reasons, most recent first', async () => {
    const now = Date.now();
    const hostileAgent = `curl/8.5 '"\\ ${'x'.repeat(300)}`;
    // Fed through the activity path, so the risk is the one the control API computes.
    await h.bus.publish('activity', {
      type: 'activity',
      proxyId: 'p1',
      sessions: [
        { sessionId: 'alert-bot', firstSeen: now - 60_000, lastSeen: now - 1000, requests: 400, bytesIn: 0, bytesOut: 0, violations: 30, userAgent: hostileAgent, ip: '127.0.0.1' },
        { sessionId: 'alert-banned', firstSeen: now - 60_000, lastSeen: now - 2000, requests: 60, bytesIn: 0, bytesOut: 0, violations: 50, userAgent: 'Mozilla/5.0 Firefox/130.0', ip: '127.0.0.1', bannedUntil: now + 300_000 },
        { sessionId: 'alert-calm', firstSeen: now - 60_000, lastSeen: now - 500, requests: 5, bytesIn: 0, bytesOut: 0, violations: 0, userAgent: 'Mozilla/5.0 Firefox/130.0', ip: '127.0.0.1' },
        { sessionId: 'alert-old', firstSeen: now - 5 * HOUR, lastSeen: now - 4 * HOUR, requests: 4000, bytesIn: 0, bytesOut: 0, violations: 40, userAgent: 'curl/8', ip: '127.0.0.1' },
      ],
    });
    await eventually(async () => {
      await h.app.flushActivity();
      expect((await store.getSession('alert-bot'))?.risk).toBe(100);
    });
    const bot = await sessionHash('alert-bot');
    const banned = await sessionHash('alert-banned');

    const res = await h.call('GET', '/admin/alerts?hours=1');
    expect(res.status).toBe(200);
    const { alerts } = (await res.json()) as { alerts: Array<Record<string, unknown>> };
    expect(alerts.map((a) => [a.kind, a.sessionHash])).toEqual([
      ['high_risk', bot],
      ['banned', banned],
    ]);
    expect(alerts[0]).toMatchObject({
      id: `high_risk-${bot}`,
      risk: 100,
      reasons: [
        { signal: 'violations', points: 40 },
        { signal: 'request_rate', points: 25 },
        { signal: 'automation', points: 25, detail: 'automation marker in the user agent: curl/' },
        { signal: 'no_consent', points: 10 },
      ],
      at: new Date(now - 1000).toISOString(),
      browser: expect.any(String),
    });
    // 50 violations: 40; 60 requests in under a minute: 5; no consent: 10.
    expect(alerts[1]).toMatchObject({ risk: 55, bannedUntil: new Date(now + 300_000).toISOString(), message: expect.stringContaining('banned until') });

    // The same sessions are what the high_risk filter lists.
    const list = (await (await h.call('GET', '/admin/sessions?filter=high_risk')).json()) as { sessions: { hash: string }[] };
    expect(list.sessions.map((s) => s.hash)).toContain(bot);
    // A longer range reaches the older session too.
    const day = (await (await h.call('GET', '/admin/alerts?hours=24')).json()) as { alerts: { sessionHash: string }[] };
    expect(day.alerts.map((a) => a.sessionHash)).toContain(await sessionHash('alert-old'));
    expect(((await (await h.call('GET', '/admin/alerts?hours=24&limit=1')).json()) as { alerts: unknown[] }).alerts).toHaveLength(1);
  });

  it('validates its query', async () => {
    const res = await h.call('GET', '/admin/alerts?limit=0');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_query', message: expect.stringContaining('limit') } });
  });
});
