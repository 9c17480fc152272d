import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, request } from '@downspin/testing';
import { startHarness, type ProxyHarness } from './test-harness.js';
import { hashSessionId } from './session/runtime.js';

/** The outcome of one request as a short word: a status, "reset" or "error". */
async function outcome(h: ProxyHarness, session: string): Promise<string> {
  try {
    const res = await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': session } });
    return String(res.status);
  } catch (error) {
    return /hang up|ECONNRESET/.test(String(error)) ? 'reset' : 'error';
  }
}

describe('faults', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('the same seed gives the same fault sequence twice, another seed another one', async () => {
    const profile = { faults: { errorRate: 0.3, status: 500, resetRate: 0.2 }, seed: 42 };
    const run = async (seed: number): Promise<string[]> => {
      await h.profile('seeded', { ...profile, seed });
      const seq: string[] = [];
      for (let i = 0; i < 20; i++) seq.push(await outcome(h, 'seeded'));
      return seq;
    };
    const first = await run(42);
    const second = await run(42);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['200', '500', 'reset']));
    expect(await run(43)).not.toEqual(first);
  });

  it('errorRate answers the profile status without calling upstream', async () => {
    await h.profile('err-1', { faults: { errorRate: 1, status: 502 } });
    h.upstream.reset();
    const res = await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'err-1' } });
    expect(res.status).toBe(502);
    expect(res.headers['x-downspin-error']).toBe('injected_fault');
    expect(json(res)).toMatchObject({ error: { code: 'injected_fault' } });
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('failFirst fails the next N requests, then lets them through', async () => {
    await h.profile('retry-1', { faults: { failFirst: 2, status: 503 } });
    const seq = [await outcome(h, 'retry-1'), await outcome(h, 'retry-1'), await outcome(h, 'retry-1'), await outcome(h, 'retry-1')];
    expect(seq).toEqual(['503', '503', '200', '200']);
  });

  it('resetRate destroys the connection', async () => {
    await h.profile('reset-1', { faults: { resetRate: 1 } });
    expect(await outcome(h, 'reset-1')).toBe('reset');
  });

  it('timeoutRate holds the request until the client gives up, and records it', async () => {
    await h.profile('hold-1', { faults: { timeoutRate: 1 } });
    h.upstream.reset();
    const started = performance.now();
    const gaveUp = await new Promise<number>((resolve) => {
      const req = http.get(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'hold-1' }, agent: false });
      req.setTimeout(400, () => {
        req.destroy();
        resolve(performance.now() - started);
      });
      req.on('error', () => undefined);
      req.on('response', () => resolve(-1));
    });
    expect(gaveUp).toBeGreaterThanOrEqual(395);
    expect(h.upstream.requests).toHaveLength(0);
    const row = await eventually(() => {
      const found = h.telemetry.requests.find((r) => r.sessionHash === hashSessionId('hold-1'));
      expect(found).toBeDefined();
      return found!;
    });
    expect(row).toMatchObject({ fault: 'timeout', status: 0 });
  });
});
