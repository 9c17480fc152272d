import { FAULT_KINDS } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { ControlClient, filenameOf } from './client.js';
import { ApiProblem, describeError } from './problem.js';

interface Sent {
  url: string;
  init: RequestInit;
}

function fakeFetch(answer: (sent: Sent) => Response | Promise<Response>): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      const call = { url: String(input), init: init ?? {} };
      sent.push(call);
      return answer(call);
    },
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const session = {
  hash: '0a1b2c3d4e5f',
  mode: 'downspin',
  shaping: 'downspin: latency 2000 ms',
  throttled: true,
  version: 2,
  userAgent: null,
  browser: 'Chrome',
  country: 'LO',
  firstSeen: null,
  lastSeen: null,
  requests: 3,
  bytesIn: 0,
  bytesOut: 10,
  violations: 0,
  risk: 0,
  consent: false,
  bannedUntil: null,
};

async function problemOf(promise: Promise<unknown>): Promise<ApiProblem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiProblem);
  return error as ApiProblem;
}

describe('ControlClient', () => {
  it('sends the key and a validated body, and returns the checked answer', async () => {
    const fake = fakeFetch(() => json({ session, applied: { version: 2, acknowledged: true, appliedBy: ['p1'], pending: [] } }));
    const client = new ControlClient('k'.repeat(20), '', fake.fetch);
    const result = await client.downspin('0a1b2c3d4e5f');
    expect(result.session.mode).toBe('downspin');
    expect(fake.sent[0]!.url).toBe('/admin/sessions/0a1b2c3d4e5f/downspin');
    expect(fake.sent[0]!.init.method).toBe('POST');
    expect((fake.sent[0]!.init.headers as Record<string, string>)['x-api-key']).toBe('k'.repeat(20));
    // The protocol's default (2000 ms) is filled in before sending.
    expect(JSON.parse(String(fake.sent[0]!.init.body))).toEqual({ latency_ms: 2000 });
  });

  it('refuses a bad body without sending it, naming the field', async () => {
    const fake = fakeFetch(() => json({}));
    const client = new ControlClient('key', '', fake.fetch);
    const bad = await problemOf(client.setProfile('0a1b2c3d4e5f', { profile: { latency: { ms: -5 } } }));
    expect(bad.code).toBe('invalid_body');
    expect(bad.message).toMatch(/latency\.ms/);
    const empty = await problemOf(client.notify('0a1b2c3d4e5f', '   ', 'info'));
    expect(empty.message).toMatch(/message/);
    expect(fake.sent).toHaveLength(0);
  });

  it('turns the API error body into its code and message', async () => {
    const fake = fakeFetch(() => json({ error: { code: 'session_not_found', message: 'No session with that hash or id.' } }, 404));
    const problem = await problemOf(new ControlClient('key', '', fake.fetch).upspin('0a1b2c3d4e5f'));
    expect(problem).toMatchObject({ code: 'session_not_found', status: 404, message: 'No session with that hash or id.' });
    expect(describeError(problem)).toBe('No session with that hash or id.');
  });

  it('says a wrong key plainly', async () => {
    const fake = fakeFetch(() => json({ error: { code: 'unauthorized', message: 'Missing or wrong API key' } }, 401));
    const problem = await problemOf(new ControlClient('nope', '', fake.fetch).stats());
    expect(problem.unauthorized).toBe(true);
    expect(describeError(problem)).toMatch(/admin key was not accepted/);
  });

  it('describes an answer that is not the error body by its status', async () => {
    const fake = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const problem = await problemOf(new ControlClient('key', '', fake.fetch).stats());
    expect(problem).toMatchObject({ code: 'http_502', status: 502 });
    expect(problem.message).toBe('The control API answered 502 Bad Gateway.');
  });

  it('says when the API cannot be reached', async () => {
    const fake = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const problem = await problemOf(new ControlClient('key', '', fake.fetch).stats());
    expect(problem).toMatchObject({ code: 'network', status: 0 });
    expect(problem.message).toMatch(/Cannot reach the control API \(Failed to fetch\)/);
  });

  it('says when a success answer is not what the API promises', async () => {
    const fake = fakeFetch(() => json({ ticket: 1 }, 201));
    const problem = await problemOf(new ControlClient('key', '', fake.fetch).wsTicket());
    expect(problem.code).toBe('bad_response');
    expect(problem.message).toMatch(/ticket/);
  });

  it('takes a notify answer only with a type the API can send', async () => {
    const answer = (type: string) => json({ notification: { id: 'n1', message: 'hi', type } }, 202);
    await expect(new ControlClient('key', '', fakeFetch(() => answer('warning')).fetch).notify('0a1b2c3d4e5f', 'hi', 'warning')).resolves.toBeUndefined();
    const problem = await problemOf(new ControlClient('key', '', fakeFetch(() => answer('shout')).fetch).notify('0a1b2c3d4e5f', 'hi', 'info'));
    expect(problem.code).toBe('bad_response');
    expect(problem.message).toMatch(/notification\.type/);
  });

  it('downloads an export with the file name the API gives', async () => {
    const fake = fakeFetch(
      () => new Response('time,ts\r\n', { headers: { 'content-disposition': 'attachment; filename="downspin-requests-a-b.csv"' } }),
    );
    const file = await new ControlClient('key', '', fake.fetch).exportRequests('csv', 24);
    expect(file.filename).toBe('downspin-requests-a-b.csv');
    expect(await file.blob.text()).toBe('time,ts\r\n');
    expect(fake.sent[0]!.url).toBe('/admin/analytics/export.csv?hours=24');
  });

  it("downloads a session's HAR under the API's file name", async () => {
    const fake = fakeFetch(() => new Response('{"log":{}}', { headers: { 'content-disposition': 'attachment; filename="downspin-0a1b2c3d4e5f.har"' } }));
    const file = await new ControlClient('key', '', fake.fetch).exportHar('0a1b2c3d4e5f');
    expect(file.filename).toBe('downspin-0a1b2c3d4e5f.har');
    expect(fake.sent[0]!.url).toBe('/admin/sessions/0a1b2c3d4e5f/har?hours=24');
  });

  it("downloads forward mode's CA certificate", async () => {
    const fake = fakeFetch(() => new Response('-----BEGIN CERTIFICATE-----\n', { headers: { 'content-disposition': 'attachment; filename="downspin-ca.pem"' } }));
    const file = await new ControlClient('key', '', fake.fetch).caCertificate();
    expect(file.filename).toBe('downspin-ca.pem');
    expect(fake.sent[0]!.url).toBe('/admin/ca.pem');
  });

  it('reads file names from Content-Disposition', () => {
    expect(filenameOf('attachment; filename="x.json"', 'f')).toBe('x.json');
    expect(filenameOf(null, 'f')).toBe('f');
  });
});

describe('ControlClient scenarios', () => {
  const scenario = {
    name: 'checkout outage',
    version: 3,
    description: '',
    shaping: { profile: { faults: { errorRate: 1, status: 503, resetRate: 0, timeoutRate: 0, failFirst: 0 } } },
    updatedAt: '2026-12-05T21:00:00.000Z',
    updatedBy: 'dashboard',
  };

  it('saves with the name in the path and applies by name, checking the answers', async () => {
    const api = fakeFetch(({ url }) => (url.endsWith('/scenario') ? json({ session, applied: { version: 4, acknowledged: true, appliedBy: ['p'], pending: [] } }) : json({ scenario })));
    const client = new ControlClient('key', '', api.fetch);
    expect(await client.saveScenario('checkout outage', { shaping: { profile: { faults: { errorRate: 1 } } } })).toEqual(scenario);
    expect((await client.applyScenario('0a1b2c3d4e5f', 'checkout outage')).applied.version).toBe(4);
    expect(api.sent.map((s) => [s.init.method, s.url, s.init.body])).toEqual([
      ['PUT', '/admin/scenarios/checkout%20outage', '{"description":"","shaping":{"profile":{"faults":{"errorRate":1,"status":503,"resetRate":0,"timeoutRate":0,"failFirst":0}}},"updatedBy":"api"}'],
      ['PUT', '/admin/sessions/0a1b2c3d4e5f/scenario', '{"name":"checkout outage"}'],
    ]);
  });

  it('never sends a preset name or a bad definition', async () => {
    const api = fakeFetch(() => json({ scenario }));
    const client = new ControlClient('key', '', api.fetch);
    expect((await problemOf(client.saveScenario('slow-3g', { shaping: { preset: 'fast-3g' } }))).code).toBe('invalid_body');
    expect((await problemOf(client.saveScenario('ok name', { shaping: { steps: [] } }))).code).toBe('invalid_body');
    expect((await problemOf(client.applyScenario('0a1b2c3d4e5f', 'offline'))).code).toBe('invalid_body');
    expect(api.sent).toEqual([]);
  });
});

describe('ControlClient session drill-down', () => {
  const harEntry = {
    startedDateTime: '2026-12-05T21:00:00.000Z',
    time: 315,
    request: { method: 'GET', url: 'http://app.test/api' },
    response: { status: 200 },
    timings: { blocked: 300, dns: -1, connect: -1, ssl: -1, send: 0, wait: 12, receive: 3 },
    comment: 'downspin: latency 300 ms',
    _downspin: { shaping: 'downspin: latency 300 ms', shapingVersion: 1, injectedMs: 300, upstreamMs: 12, totalMs: 315, fault: '', error: '', bytesIn: 0, bytesOut: 5 },
  };
  const har = { log: { version: '1.2', creator: { name: 'downspin', version: '1' }, entries: [harEntry], comment: 'history' } };

  it("reads a session's detail and its HAR for a range, checked against their schemas", async () => {
    const history = [{ version: 2, kind: 'scenario', body: { name: 'flaky', version: 1 }, createdAt: '2026-12-05T21:00:00.000Z' }];
    const api = fakeFetch(({ url }) => (url.includes('/har') ? json(har) : json({ session, history })));
    const client = new ControlClient('key', '', api.fetch);
    expect((await client.session('0a1b2c3d4e5f')).history).toEqual(history);
    expect((await client.har('0a1b2c3d4e5f', 168)).log.entries[0]!.timings.blocked).toBe(300);
    expect(api.sent.map((s) => s.url)).toEqual(['/admin/sessions/0a1b2c3d4e5f', '/admin/sessions/0a1b2c3d4e5f/har?hours=168']);
  });

  it('refuses a HAR that is not HAR 1.2', async () => {
    const api = fakeFetch(() => json({ log: { ...har.log, version: '1.1' } }));
    const problem = await problemOf(new ControlClient('key', '', api.fetch).har('0a1b2c3d4e5f', 1));
    expect(problem.code).toBe('bad_response');
  });

  it("narrows the analytics and the CSV export to the session's hash", async () => {
    const faults = Object.fromEntries(FAULT_KINDS.filter((kind) => kind !== '').map((kind) => [kind, 0]));
    const overview = {
      range: { from: '2026-12-05T20:00:00.000Z', to: '2026-12-05T21:00:00.000Z', session: '0a1b2c3d4e5f' },
      requests: 4,
      errors: 1,
      errorRate: 0.25,
      latencyMs: { p50: 10, p95: 20, p99: 30 },
      bytesIn: 0,
      bytesOut: 40,
      sessions: 1,
      rateLimited: 0,
      faults,
    };
    const api = fakeFetch(({ url }) => (url.includes('export') ? new Response('a,b\r\n') : json(overview)));
    const client = new ControlClient('key', '', api.fetch);
    expect((await client.overview(1, '0a1b2c3d4e5f')).requests).toBe(4);
    const file = await client.exportRequests('csv', 24, '0a1b2c3d4e5f');
    expect(file.filename).toBe('downspin-0a1b2c3d4e5f-requests.csv');
    expect(api.sent.map((s) => s.url)).toEqual(['/admin/analytics?hours=1&session=0a1b2c3d4e5f', '/admin/analytics/export.csv?hours=24&session=0a1b2c3d4e5f']);
  });
});
