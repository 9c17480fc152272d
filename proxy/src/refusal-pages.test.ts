import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, request, type TimedResponse } from '@downspin/testing';
import { startHarness, type ProxyHarness } from './test-harness.js';

/** What Chromium sends on a navigation, and what fetch() sends by default. */
const NAVIGATION = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const API = '*/*';

const get = (h: ProxyHarness, session: string, accept: string): Promise<TimedResponse> =>
  request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': session, accept } });

/** The page contract the browser suites rely on: body marker and title prefix. */
function expectPage(res: TimedResponse, code: string): string {
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['x-downspin-error']).toBe(code);
  expect(Number(res.headers['content-length'])).toBe(res.body.length);
  const page = res.body.toString('utf8');
  expect(page).toMatch(/^<!doctype html>/);
  expect(page).toContain(`<body data-downspin-error="${code}"`);
  expect(page).toMatch(/<title>downspin: [^<]+<\/title>/);
  return page;
}

function expectJson(res: TimedResponse, code: string): { error: { code: string; message: string; details?: string } } {
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['x-downspin-error']).toBe(code);
  const body = json<{ error: { code: string; message: string; details?: string } }>(res);
  expect(body.error.code).toBe(code);
  return body;
}

describe('refusals: an HTML page for navigations, JSON for API clients, same status and headers', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness({ abuseGuard: { enabled: true, maxViolations: 2, banMs: 120_000 } });
  });
  afterAll(async () => h.close());

  it('terminated: says it was an operator and why, with the reason escaped', async () => {
    await h.shape('t-page', { mode: 'terminated', reason: 'done <script>alert("x")</script> & bye' });
    const page = await get(h, 't-page', NAVIGATION);
    expect(page.status).toBe(403);
    const html = expectPage(page, 'session_terminated');
    expect(html).toContain('This session was ended');
    expect(html).toContain('Terminated by an operator');
    expect(html).toContain('Reason: done &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; bye.');
    expect(html).not.toContain('<script>');

    const api = await get(h, 't-page', API);
    expect(api.status).toBe(403);
    expect(expectJson(api, 'session_terminated').error.details).toContain('Reason: done <script>alert("x")</script> & bye.');
  });

  it('rate limited: names the Retry-After, with the RateLimit-* headers on both answers', async () => {
    await h.profile('rl-page', { rateLimit: { rps: 0.01, burst: 1 } });
    expect((await get(h, 'rl-page', NAVIGATION)).status).toBe(200);
    const page = await get(h, 'rl-page', NAVIGATION);
    expect(page.status).toBe(429);
    const html = expectPage(page, 'rate_limited');
    const retryAfter = page.headers['retry-after'];
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(page.headers['ratelimit-remaining']).toBe('0');
    expect(html).toContain(`Retry after ${retryAfter} s`);

    // The second violation bans (maxViolations 2); the third request is banned.
    const api = await get(h, 'rl-page', API);
    expect(api.status).toBe(429);
    expect(api.headers['retry-after']).toBeDefined();
    expect(api.headers['ratelimit-limit']).toBe('1');
    expect(expectJson(api, 'rate_limited').error.details).toBeUndefined();
  });

  it('banned: says until when, with Retry-After', async () => {
    const page = await get(h, 'rl-page', NAVIGATION);
    expect(page.status).toBe(403);
    const html = expectPage(page, 'session_banned');
    const until = /until (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(html)?.[1];
    expect(until).toBeDefined();
    const left = Date.parse(until!) - Date.now();
    expect(left).toBeGreaterThan(100_000);
    expect(left).toBeLessThanOrEqual(120_000);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(100);
    expect(html).toContain(`Retry-After: ${page.headers['retry-after']} s`);

    const api = await get(h, 'rl-page', API);
    expect(api.status).toBe(403);
    expect(api.headers['retry-after']).toBeDefined();
    expect(expectJson(api, 'session_banned').error.details).toContain('until ');
  });

  it("injected fault: the profile's status, and a page naming the profile", async () => {
    await h.profile('f-page', { faults: { failFirst: 2, status: 500 } });
    const upstreamBefore = h.upstream.requests.length;
    const page = await get(h, 'f-page', NAVIGATION);
    expect(page.status).toBe(500);
    const html = expectPage(page, 'injected_fault');
    expect(html).toContain('Fault injected by downspin');
    expect(html).toContain('first 2 fail 500');
    expect(html).toContain('the app under test was not called');

    const api = await get(h, 'f-page', API);
    expect(api.status).toBe(500);
    expectJson(api, 'injected_fault');
    expect(h.upstream.requests.length).toBe(upstreamBefore);
  });

  it('malformed session id: a page for a navigation too', async () => {
    const page = await get(h, 'bad id!', NAVIGATION);
    expect(page.status).toBe(400);
    expectPage(page, 'malformed_session_id');
    expectJson(await get(h, 'bad id!', API), 'malformed_session_id');
  });

  it('the 502 page follows the same contract', async () => {
    const down = await startHarness();
    await down.upstream.stop();
    try {
      const page = await get(down, 's-502', NAVIGATION);
      expect(page.status).toBe(502);
      expect(expectPage(page, 'upstream_unreachable')).toContain('could not be reached');
      expectJson(await get(down, 's-502', API), 'upstream_unreachable');
    } finally {
      await down.proxy.close();
      await down.bus.close();
    }
  });
});
