import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, request } from '@downspin/testing';
import { hashSessionId } from './session/runtime.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

describe('forwarding', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('forwards method, path, query and body, and sets X-Forwarded-*', async () => {
    const res = await request(`${h.proxy.url}/api/items?x=1`, {
      method: 'POST',
      headers: { 'x-downspin-session': 's1', 'content-type': 'text/plain', host: 'app.example:8080' },
      body: 'hello',
    });
    expect(res.status).toBe(200);
    const echo = json<Echo>(res);
    expect(echo).toMatchObject({ method: 'POST', url: '/api/items?x=1', bodyBytes: 5 });
    expect(echo.headers['x-forwarded-for']).toMatch(/127\.0\.0\.1/);
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    expect(echo.headers['x-forwarded-host']).toBe('app.example:8080');
    // Host is rewritten to the target, as an https target needs for SNI and virtual hosts.
    expect(echo.headers.host).toBe(new URL(h.upstream.url).host);
  });

  it('strips the session header and cookie before forwarding, keeping other cookies', async () => {
    const res = await request(`${h.proxy.url}/echo`, {
      headers: { 'x-downspin-session': 's1', cookie: 'a=1; downspin_sid=s2; b=2' },
    });
    const echo = json<Echo>(res);
    expect(echo.headers['x-downspin-session']).toBeUndefined();
    expect(echo.headers.cookie).toBe('a=1; b=2');
    const onlyOurs = json<Echo>(await request(`${h.proxy.url}/echo`, { headers: { cookie: 'downspin_sid=s3' } }));
    expect(onlyOurs.headers.cookie).toBeUndefined();
  });

  it('assigns a random session cookie to a client that sent none, next to the app cookies', async () => {
    const res = await request(`${h.proxy.url}/echo`);
    const cookies = res.headers['set-cookie'] ?? [];
    expect(cookies).toContain('app_cookie=1; Path=/');
    const ours = cookies.find((c) => c.startsWith('downspin_sid='));
    expect(ours).toMatch(/^downspin_sid=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax$/);
    const again = await request(`${h.proxy.url}/echo`);
    expect(again.headers['set-cookie']?.find((c) => c.startsWith('downspin_sid='))).not.toBe(ours);
  });

  it('answers a malformed session id with a 400 JSON error and never calls upstream', async () => {
    h.upstream.reset();
    const res = await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'bad id!' } });
    expect(res.status).toBe(400);
    expect(json(res)).toEqual({ error: { code: 'malformed_session_id', message: expect.stringContaining('1-128') } });
    const tooLong = await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'a'.repeat(129) } });
    expect(tooLong.status).toBe(400);
    const badCookie = await request(`${h.proxy.url}/echo`, { headers: { cookie: 'downspin_sid=%%%' } });
    expect(badCookie.status).toBe(400);
    expect(badCookie.headers['set-cookie']?.[0]).toMatch(/^downspin_sid=; .*Max-Age=0/);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('records one telemetry row per request with the fields a user queries', async () => {
    await request(`${h.proxy.url}/users/42/orders?page=2`, { headers: { 'x-downspin-session': 'telemetry-1' } });
    await request(`${h.proxy.url}/status/503`, { headers: { 'x-downspin-session': 'telemetry-1' } });
    const rows = await eventually(() => {
      const rows = h.telemetry.requests.filter((row) => row.sessionHash === hashSessionId('telemetry-1'));
      expect(rows).toHaveLength(2);
      return rows;
    });
    expect(rows[0]).toMatchObject({
      sessionHash: hashSessionId('telemetry-1'),
      proxyId: h.proxy.proxyId,
      method: 'GET',
      path: '/users/42/orders',
      route: '/users/:id/orders',
      status: 200,
      fault: '',
      error: '',
      country: 'LO',
    });
    expect(rows[0]!.bytesIn).toBeGreaterThan(0);
    expect(rows[0]!.bytesOut).toBeGreaterThan(0);
    expect(rows[0]!.totalMs).toBeGreaterThanOrEqual(rows[0]!.upstreamMs);
    expect(rows[1]).toMatchObject({ status: 503, path: '/status/503' });
  });

  it('reports session activity on the bus', async () => {
    // Summed: a report may fall between the two requests.
    let requests = 0;
    const unsubscribe = await h.bus.subscribe('activity', (message) => {
      for (const s of message.sessions) if (s.sessionId === 'activity-1') requests += s.requests;
    });
    await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'activity-1', 'user-agent': 'qa-agent/1' } });
    await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'activity-1' } });
    await eventually(() => expect(requests).toBe(2));
    await unsubscribe();
  });
});

describe('upstream failures', () => {
  it('answers 502 with a JSON error, or an HTML page for browsers, when the target is down', async () => {
    const h = await startHarness();
    await h.upstream.stop();
    const res = await request(`${h.proxy.url}/`, { headers: { 'x-downspin-session': 's1' } });
    expect(res.status).toBe(502);
    expect(json(res)).toMatchObject({ error: { code: 'upstream_unreachable' } });
    const page = await request(`${h.proxy.url}/`, { headers: { 'x-downspin-session': 's1', accept: 'text/html' } });
    expect(page.status).toBe(502);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body.toString()).toContain('could not reach the app under test');
    await h.proxy.close();
  });
});
