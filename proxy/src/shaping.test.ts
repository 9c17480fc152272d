import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, request, type TimedResponse } from '@downspin/testing';
import { presetProfile, ProfileSchema } from '@downspin/protocol';
import type { LatencyEffect } from './effects/index.js';
import { hashSessionId } from './session/runtime.js';
import { ShapingPlan } from './shaping/plan.js';
import type { RandomGenerator } from './shaping/random.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

const get = (h: ProxyHarness, session: string, path = '/echo'): Promise<TimedResponse> =>
  request(`${h.proxy.url}${path}`, { headers: { 'x-downspin-session': session } });

/**
 * What the proxy decided for a session's requests: the delay it injected for
 * each, from its telemetry rows, once `count` of them are there. Tests check
 * these rather than an upper bound on wall-clock time, which a busy 2-core
 * machine can always exceed; a floor on elapsed time stays (a busy machine
 * only ever adds time).
 */
function injected(h: ProxyHarness, session: string, count: number, path?: string): Promise<number[]> {
  return eventually(() => {
    const rows = h.telemetry.requests.filter((row) => row.sessionHash === hashSessionId(session) && (path === undefined || row.path === path));
    expect(rows).toHaveLength(count);
    return rows.map((row) => row.injectedMs);
  });
}

describe('shaping over real sockets', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('adds the requested latency before the request goes upstream', async () => {
    await h.profile('lat-1', { latency: { ms: 200 } });
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await get(h, 'lat-1');
      const arrived = h.upstream.requests.at(-1)!.arrivedAt;
      expect(res.status).toBe(200);
      // The upstream saw the request no earlier than the delay.
      expect(arrived - started).toBeGreaterThanOrEqual(198);
      expect(res.ms).toBeGreaterThanOrEqual(198);
    }
    // Exactly the requested delay, no more: how close the timers keep to it is the bench's to measure.
    expect(await injected(h, 'lat-1', 3)).toEqual([200, 200, 200]);
  });

  it('shapes a session id before its first request, and leaves other sessions alone', async () => {
    await h.shape('never-seen-yet', { mode: 'downspin', latencyMs: 300 });
    const slow = await get(h, 'never-seen-yet');
    const fast = await get(h, 'someone-else');
    expect(slow.ms).toBeGreaterThanOrEqual(298);
    expect(fast.status).toBe(200);
    expect(await injected(h, 'never-seen-yet', 1)).toEqual([300]);
    expect(await injected(h, 'someone-else', 1)).toEqual([0]);
  });

  it('keeps shaping a session that went idle and was parked: its next request is delayed as before', async () => {
    await h.shape('parked-1', { mode: 'downspin', latencyMs: 200 });
    expect((await get(h, 'parked-1')).status).toBe(200);
    // Once its activity is reported, a sweep as if it had been idle past the idle time (10 minutes).
    await eventually(() => expect(h.proxy.sessions.get('parked-1')?.requests).toBe(0));
    h.proxy.sessions.sweep(Date.now() + 11 * 60_000);
    expect(h.proxy.sessions.get('parked-1')).toBeUndefined();
    expect(h.proxy.stats().parkedSessions).toBeGreaterThanOrEqual(1);
    expect(h.proxy.sessions.versionOf('parked-1')).toBe(1);
    expect((await get(h, 'parked-1')).ms).toBeGreaterThanOrEqual(198);
    expect(await injected(h, 'parked-1', 2)).toEqual([200, 200]);
    // A newer command for a parked session is taken, and acknowledged with its version.
    h.proxy.sessions.sweep(Date.now() + 11 * 60_000);
    await h.shape('parked-1', { mode: 'upspin' });
    expect(h.proxy.sessions.versionOf('parked-1')).toBe(2);
    expect((await get(h, 'parked-1')).status).toBe(200);
    expect(await injected(h, 'parked-1', 3)).toEqual([200, 200, 0]);
  });

  it('upspin removes the delay again', async () => {
    await h.shape('prio-1', { mode: 'downspin', latencyMs: 250 });
    expect((await get(h, 'prio-1')).ms).toBeGreaterThanOrEqual(248);
    await h.shape('prio-1', { mode: 'upspin' });
    expect((await get(h, 'prio-1')).status).toBe(200);
    expect(await injected(h, 'prio-1', 2)).toEqual([250, 0]);
  });

  it('applies a profile only to paths matching its route globs', async () => {
    await h.profile('routes-1', { latency: { ms: 200 }, routes: ['/api/**'] });
    expect((await get(h, 'routes-1', '/api/items/1')).ms).toBeGreaterThanOrEqual(198);
    expect((await get(h, 'routes-1', '/static/app.js')).status).toBe(200);
    expect(await injected(h, 'routes-1', 1, '/api/items/1')).toEqual([200]);
    expect(await injected(h, 'routes-1', 1, '/static/app.js')).toEqual([0]);
  });

  it('applies a host route to requests for that host only, read from the Host header', async () => {
    await h.profile('routes-host', { latency: { ms: 150 }, routes: ['api.staging.example.com/v1/**'] });
    const to = (host: string, path: string): Promise<TimedResponse> =>
      request(`${h.proxy.url}${path}`, { headers: { 'x-downspin-session': 'routes-host', host } });
    expect((await to('api.staging.example.com', '/v1/users')).status).toBe(200);
    expect((await to('API.staging.example.com:443', '/v1/orders')).status).toBe(200);
    expect((await to('cdn.staging.example.com', '/v1/users')).status).toBe(200);
    expect((await to('api.staging.example.com', '/v2/users')).status).toBe(200);
    // What the proxy decided for each: the delay it injected, and the host it recorded.
    const rows = await eventually(() => {
      const mine = h.telemetry.requests.filter((row) => row.sessionHash === hashSessionId('routes-host'));
      expect(mine).toHaveLength(4);
      return mine.map((row) => [row.host, row.path, row.injectedMs]);
    });
    expect(rows).toEqual([
      ['api.staging.example.com', '/v1/users', 150],
      ['API.staging.example.com:443', '/v1/orders', 150],
      ['cdn.staging.example.com', '/v1/users', 0],
      ['api.staging.example.com', '/v2/users', 0],
    ]);
  });

  it('draws each jittered delay from the seed, within its bounds, and holds the request at least that long', async () => {
    const profile = ProfileSchema.parse({ latency: { ms: 60, jitterMs: 50, distribution: 'uniform' }, seed: 7 });
    await h.profile('jitter-1', profile);
    const elapsed: number[] = [];
    for (let i = 0; i < 8; i++) elapsed.push((await get(h, 'jitter-1')).ms);
    // What the proxy decided: the delay it drew for each request, from its telemetry rows.
    const drawn = await injected(h, 'jitter-1', 8);
    // The same seed replays the same draws: the plan's own sequence for seed 7.
    const plan = new ShapingPlan(profile);
    const latency = plan.effects[0] as LatencyEffect;
    const random = plan.createStates()[0] as RandomGenerator;
    expect(drawn).toEqual(Array.from({ length: 8 }, () => latency.sample(random)));
    for (const d of drawn) {
      expect(d).toBeGreaterThanOrEqual(60 - 50);
      expect(d).toBeLessThanOrEqual(60 + 50);
    }
    expect(Math.max(...drawn) - Math.min(...drawn)).toBeGreaterThan(10);
    // A busy machine only ever adds time: each request took at least its drawn delay.
    elapsed.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual(drawn[i]! - 2));
  });

  it('runs a timeline by the clock: offline, then back to normal', async () => {
    const started = Date.now();
    await h.shape('timeline-1', {
      mode: 'timeline',
      startedAt: started,
      steps: [
        { atMs: 0, profile: presetProfile('offline'), preset: 'offline' },
        // Far enough out that the ack and the first request land in the offline step on a busy machine.
        { atMs: 1500, profile: presetProfile('none'), preset: 'none' },
      ],
    });
    await expect(get(h, 'timeline-1')).rejects.toThrow(/socket hang up|ECONNRESET/);
    const wait = started + 1550 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const recovered = await get(h, 'timeline-1');
    expect(recovered.status).toBe(200);
  });

  it('terminates a session: 403 for every further request', async () => {
    await h.shape('term-1', { mode: 'terminated', reason: 'done testing' });
    const res = await get(h, 'term-1');
    expect(res.status).toBe(403);
    expect(json(res)).toMatchObject({ error: { code: 'session_terminated' } });
  });
});

describe('rate limit and abuse guard', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness({ abuseGuard: { maxViolations: 5, banMs: 60_000 } });
  });
  afterAll(async () => h.close());

  it('answers 429 with Retry-After and RateLimit-* headers past the bucket', async () => {
    await h.profile('rl-1', { rateLimit: { rps: 1, burst: 3 } });
    const statuses: number[] = [];
    let refused: TimedResponse | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await get(h, 'rl-1');
      statuses.push(res.status);
      if (res.status === 429) refused = res;
      else expect(res.headers['ratelimit-limit']).toBe('3');
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(refused!.headers['retry-after']).toBe('1');
    expect(refused!.headers['ratelimit-limit']).toBe('3');
    expect(refused!.headers['ratelimit-remaining']).toBe('0');
    expect(Number(refused!.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    expect(json(refused!)).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('lets an upspin session through without limits', async () => {
    await h.profile('rl-2', { rateLimit: { rps: 1, burst: 1 } });
    await h.shape('rl-2', { mode: 'upspin' });
    for (let i = 0; i < 5; i++) expect((await get(h, 'rl-2')).status).toBe(200);
  });

  it('bans a session after repeated violations (configurable), then refuses it with 403', async () => {
    await h.profile('abuser', { rateLimit: { rps: 0.01, burst: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get(h, 'abuser')).status);
    // 1 allowed, 5 violations (the fifth bans), then banned.
    expect(statuses).toEqual([200, 429, 429, 429, 429, 429, 403, 403]);
    const banned = await get(h, 'abuser');
    expect(json(banned)).toMatchObject({ error: { code: 'session_banned' } });
    expect(Number(banned.headers['retry-after'])).toBeGreaterThan(50);
    expect((await get(h, 'bystander')).status).toBe(200);
  });
});
