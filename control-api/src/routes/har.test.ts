import { createPgliteStore, MemoryTelemetryStore, type SessionStore } from '@downspin/db';
import { HarSchema, MAX_HAR_ENTRIES, sessionHash, type RequestRow } from '@downspin/protocol';
// har-validator: HAR 1.2's JSON schemas (har-schema) checked with ajv, as the `request` library did.
import { har as validateHar } from 'har-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionHar } from '../sessions/har.js';
import { startHarness, type Harness } from '../test-support/harness.js';

const SESSION = 'har-session-1';
let hash: string;

function row(ts: number, path: string, extra: Partial<RequestRow> = {}): RequestRow {
  return {
    ts,
    sessionHash: hash,
    proxyId: 'p1',
    method: 'GET',
    host: 'app.test:8080',
    path,
    route: path,
    status: 200,
    upstreamMs: 12.5,
    totalMs: 415.25,
    injectedMs: 400,
    bytesIn: 120,
    bytesOut: 2048,
    shaping: 'downspin: latency 400 ms',
    shapingVersion: 1,
    fault: '',
    error: '',
    country: 'LO',
    ...extra,
  };
}

let store: SessionStore;
let h: Harness;
const now = Date.now();
beforeAll(async () => {
  hash = await sessionHash(SESSION);
  store = await createPgliteStore();
  const telemetry = new MemoryTelemetryStore();
  h = await startHarness(store, { telemetry });
  // A real shaping command, so the session and its history exist.
  expect((await h.call('POST', `/admin/sessions/${SESSION}/downspin`, { latency_ms: 400 })).status).toBe(200);
  await telemetry.insert({
    kind: 'requests',
    id: 'har',
    rows: [
      row(now - 3000, '/'),
      row(now - 2000, '/api/items', { status: 503, fault: 'error', upstreamMs: 0, totalMs: 400.5 }),
      row(now - 1000, '/api/upload', { method: 'POST', status: 0, error: 'client_aborted', upstreamMs: 0, totalMs: 20, injectedMs: 0, shaping: '', shapingVersion: 0 }),
      row(now - 500, '/other', { sessionHash: 'ffffffffffff' }),
    ],
  });
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe('GET /admin/sessions/{id}/har', () => {
  it('is valid HAR 1.2 whose timings add up to what the proxy measured, with downspin’s shaping on each entry', async () => {
    const res = await h.call('GET', `/admin/sessions/${hash}/har?hours=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="downspin-${hash}.har"`);
    const body: unknown = await res.json();
    await expect(validateHar(body)).resolves.toBeDefined();
    const har = HarSchema.parse(body);
    // Only this session's requests, in time order.
    expect(har.log.entries.map((e) => e.request.url)).toEqual(['http://app.test:8080/', 'http://app.test:8080/api/items', 'http://app.test:8080/api/upload']);
    for (const entry of har.log.entries) {
      const { blocked, send, wait, receive } = entry.timings;
      expect(Math.abs(blocked + send + wait + receive - entry._downspin.totalMs)).toBeLessThan(5);
      expect(entry.time).toBeCloseTo(entry._downspin.totalMs, 2);
      expect(blocked).toBe(entry._downspin.injectedMs);
      expect(wait).toBe(entry._downspin.upstreamMs);
    }
    const [page, faulted, aborted] = har.log.entries;
    expect(page).toMatchObject({ timings: { blocked: 400, wait: 12.5, receive: 2.75 }, comment: 'downspin v1: downspin: latency 400 ms', response: { status: 200, statusText: 'OK', _transferSize: 2048 } });
    expect(faulted!.comment).toBe('downspin v1: downspin: latency 400 ms; fault error');
    expect(aborted).toMatchObject({ request: { method: 'POST' }, response: { status: 0 }, comment: 'downspin v0: no shaping; error client_aborted' });
    expect(har.log.comment).toMatch(/^downspin session [0-9a-f]{12}: shaping history \(oldest first\)\nv1 \S+ downspin: \{"latency_ms":400\}/);
  });

  it('answers 404 for a session nobody has, and 400 naming a bad range', async () => {
    expect((await h.call('GET', '/admin/sessions/nobody-at-all/har')).status).toBe(404);
    const bad = await h.call('GET', `/admin/sessions/${hash}/har?hours=1&from=2026-01-01`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_query' } });
  });
});

describe('sessionHar', () => {
  it('keeps the latest entries of a long session, and says how many it left out', async () => {
    async function* rows(): AsyncIterable<RequestRow> {
      for (let i = 0; i < 2 * MAX_HAR_ENTRIES + 5; i++) yield row(i, `/r${i}`);
    }
    const har = await sessionHar(rows(), hash, []);
    expect(har.log.entries).toHaveLength(MAX_HAR_ENTRIES);
    expect(har.log.entries[0]!.request.url).toBe(`http://app.test:8080/r${MAX_HAR_ENTRIES + 5}`);
    expect(har.log.comment).toContain(`${MAX_HAR_ENTRIES + 5} earlier requests left out`);
    expect(har.log.comment).toContain('(never shaped)');
  });
});
