import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlClient } from './control-client.js';
import { DownspinApiError, DownspinConnectionError, ShapingNotAcknowledgedError } from './errors.js';
import { SessionShaper } from './shaper.js';
import type { TrafficCount } from './traffic.js';

// A stand-in control API (unit tests of the fixture's logic; the real API is
// exercised by the Playwright suites in playwright/test and e2e/).
type Handler = (req: IncomingMessage, body: string) => { status: number; body: unknown; raw?: string };

const view = (over: Record<string, unknown> = {}) => ({
  hash: 'abcdefabcdef',
  mode: 'profile',
  shaping: 'latency 400 ms',
  throttled: true,
  version: 3,
  userAgent: null,
  browser: null,
  country: null,
  firstSeen: null,
  lastSeen: null,
  requests: 0,
  bytesIn: 0,
  bytesOut: 0,
  violations: 0,
  risk: 0,
  consent: false,
  bannedUntil: null,
  ...over,
});

let server: Server | undefined;
const seen: { method: string; url: string; body: string }[] = [];

async function fakeApi(handler: Handler): Promise<string> {
  seen.length = 0;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      const answer = handler(req, body);
      res.writeHead(answer.status, { 'content-type': answer.raw === undefined ? 'application/json' : 'text/html' });
      res.end(answer.raw ?? JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

function shaperFor(controlUrl: string, floor: TrafficCount = { requests: 0, bodyBytesSent: 0, bodyBytesReceived: 0 }) {
  return new SessionShaper({
    sessionId: 'test-session_1',
    sessionHash: 'abcdefabcdef',
    client: new ControlClient({ controlUrl: new URL(controlUrl), apiKey: 'key', requestTimeoutMs: 2000 }),
    traffic: { snapshot: async () => floor },
    statsTimeoutMs: 3000,
    step: (_title, body) => body(),
    controlUrl,
    proxyOrigins: ['http://proxy:8080'],
  });
}

describe('SessionShaper shaping calls', () => {
  it('sends the body to the session path with the key and answers what the API applied', async () => {
    const url = await fakeApi(() => ({
      status: 200,
      body: { session: view(), applied: { version: 3, acknowledged: true, appliedBy: ['p-1', 'p-2'], pending: [] } },
    }));
    const shaper = shaperFor(url);
    expect(await shaper.apply({ latency: { ms: 400 } })).toEqual({ version: 3, mode: 'profile', shaping: 'latency 400 ms', appliedBy: ['p-1', 'p-2'] });
    expect(seen[0]).toEqual({ method: 'PUT', url: '/admin/sessions/test-session_1/profile', body: '{"profile":{"latency":{"ms":400}}}' });
    expect(shaper.changed).toBe(true);
  });

  it('applies a preset name as the preset, any other string or { scenario } as a scenario', async () => {
    const scenario = { name: 'checkout API outage', version: 4 };
    const url = await fakeApi((req) => ({
      status: 200,
      body: {
        session: view(req.url?.endsWith('/scenario') ? { scenario, shaping: 'scenario "checkout API outage" v4: faults 100% 503' } : {}),
        applied: { version: 3, acknowledged: true, appliedBy: ['p-1'], pending: [] },
      },
    }));
    const shaper = shaperFor(url);
    expect((await shaper.apply('slow-3g')).scenario).toBeUndefined();
    expect(await shaper.apply('checkout API outage')).toMatchObject({ scenario, shaping: 'scenario "checkout API outage" v4: faults 100% 503' });
    await shaper.apply({ scenario: 'train tunnel' });
    expect(seen.map(({ method, url: path, body }) => [method, path, body])).toEqual([
      ['PUT', '/admin/sessions/test-session_1/profile', '{"preset":"slow-3g"}'],
      ['PUT', '/admin/sessions/test-session_1/scenario', '{"name":"checkout API outage"}'],
      ['PUT', '/admin/sessions/test-session_1/scenario', '{"name":"train tunnel"}'],
    ]);
  });

  it('throws scenario_not_found for a name nobody stored, leaving nothing to clean up', async () => {
    const url = await fakeApi(() => ({ status: 404, body: { error: { code: 'scenario_not_found', message: 'No scenario with that name.' } } }));
    const shaper = shaperFor(url);
    await expect(shaper.apply('slow-3G-typo')).rejects.toMatchObject({ code: 'scenario_not_found', status: 404 });
    expect(shaper.changed).toBe(false);
  });

  it('fails when a live proxy did not acknowledge, naming it', async () => {
    const url = await fakeApi(() => ({
      status: 200,
      body: { session: view(), applied: { version: 7, acknowledged: false, appliedBy: ['p-1'], pending: ['p-2', 'p-3'] } },
    }));
    const shaper = shaperFor(url);
    const error = await shaper.apply('slow-3g').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShapingNotAcknowledgedError);
    expect(error).toMatchObject({ version: 7, pending: ['p-2', 'p-3'], appliedBy: ['p-1'] });
    expect((error as Error).message).toMatch(/^downspin: shaping version 7 was not acknowledged by proxies p-2, p-3 \(applied by p-1\)/);
    // Some proxy may run it: cleanup must reset.
    expect(shaper.changed).toBe(true);
  });

  it('throws the API error as code: message, and a refused call leaves nothing to clean up', async () => {
    const url = await fakeApi(() => ({ status: 400, body: { error: { code: 'invalid_body', message: 'latency.ms: Too small', details: { at: 1 } } } }));
    const shaper = shaperFor(url);
    const error = await shaper.downspin(-1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownspinApiError);
    expect(error).toMatchObject({ message: 'invalid_body: latency.ms: Too small', code: 'invalid_body', status: 400, details: { at: 1 } });
    expect(shaper.changed).toBe(false);
  });

  it('keeps the session marked for cleanup after a 5xx answer', async () => {
    const url = await fakeApi(() => ({ status: 503, body: { error: { code: 'bus_unavailable', message: 'The command bus is unavailable.' } } }));
    const shaper = shaperFor(url);
    await expect(shaper.upspin()).rejects.toThrow('bus_unavailable: The command bus is unavailable.');
    expect(shaper.changed).toBe(true);
  });

  it('says when the answer is not the control API', async () => {
    const url = await fakeApi(() => ({ status: 502, body: null, raw: '<html>Bad gateway</html>' }));
    await expect(shaperFor(url).terminate()).rejects.toThrow(
      new DownspinConnectionError(
        `downspin: POST ${url}/admin/sessions/test-session_1/terminate answered 502 without an API error body; is ${url} the downspin control API?`,
        true,
      ),
    );
  });

  it('says when a 200 answer is not what this version understands', async () => {
    const url = await fakeApi(() => ({ status: 200, body: { ok: true } }));
    await expect(shaperFor(url).upspin()).rejects.toThrow(/answered 200 with a body this fixture does not understand/);
  });

  it('sends notify and answers the queued notification', async () => {
    const url = await fakeApi(() => ({ status: 202, body: { notification: { id: 'n1', message: 'hi', type: 'info' } } }));
    expect(await shaperFor(url).notify('hi')).toEqual({ id: 'n1', message: 'hi', type: 'info' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/admin/sessions/test-session_1/notify', body: '{"message":"hi"}' });
  });
});

describe('SessionShaper.stats', () => {
  it('polls until the API counts at least what the browser got answered', async () => {
    let calls = 0;
    const url = await fakeApi(() => {
      calls++;
      if (calls === 1) return { status: 404, body: { error: { code: 'session_not_found', message: 'No session with that hash or id.' } } };
      const requests = calls >= 4 ? 5 : 2;
      return { status: 200, body: { session: view({ requests, bytesIn: 900, bytesOut: requests * 1000 }), history: [] } };
    });
    const stats = await shaperFor(url, { requests: 5, bodyBytesSent: 0, bodyBytesReceived: 4000 }).stats();
    expect(calls).toBe(4);
    expect(stats).toMatchObject({ requests: 5, bytesOut: 5000, mode: 'profile' });
  });

  it('answers zeros for a session the API has not seen when the browser sent nothing', async () => {
    const url = await fakeApi(() => ({ status: 404, body: { error: { code: 'session_not_found', message: 'No session.' } } }));
    expect(await shaperFor(url).stats()).toMatchObject({ requests: 0, bytesOut: 0, mode: 'none', firstSeen: null });
  });

  it('gives up at the deadline, saying what the API has and what it waited for', async () => {
    const url = await fakeApi(() => ({ status: 200, body: { session: view({ requests: 1, bytesOut: 10 }), history: [] } }));
    const started = Date.now();
    const error = await shaperFor(url, { requests: 4, bodyBytesSent: 0, bodyBytesReceived: 100 })
      .stats({ timeoutMs: 500 })
      .then(() => new Error('stats() answered'), (e: unknown) => e as Error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(error.message).toBe(
      `downspin: stats() waited 500 ms, but the control API counts 1 requests (10 bytes out) for session abcdefabcdef while this test's ` +
        `browser got 4 answers (100 body bytes) from http://proxy:8080. Proxies report activity about once a second: ` +
        `is that proxy connected to the control API at ${url}?`,
    );
  });
});
