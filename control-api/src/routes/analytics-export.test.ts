import { createPgliteStore, MemoryTelemetryStore, TelemetryStoreError, type SessionStore } from '@downspin/db';
import type { RequestRow } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/harness.js';

const T0 = Date.UTC(2026, 1, 2, 8, 0, 0);
const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 3_600_000).toISOString()}`;

function row(ts: number, path: string, extra: Partial<RequestRow> = {}): RequestRow {
  return {
    ts,
    sessionHash: 'abcabcabcabc',
    proxyId: 'p1',
    method: 'GET',
    host: 'app.test',
    path,
    route: path,
    status: 200,
    upstreamMs: 1.5,
    totalMs: 2.25,
    injectedMs: 0,
    bytesIn: 0,
    bytesOut: 10,
    shaping: '',
    shapingVersion: 0,
    fault: '',
    error: '',
    country: 'LO',
    ...extra,
  };
}

const HOSTILE = [
  '=HYPERLINK("http://evil.test","x")',
  '+1+2',
  '-3',
  '@SUM(A1:A9)',
  '/a,b',
  '/say "hi"',
  "/it's\\back",
  '/line\nbreak',
  '/nul\u0000byte',
  `/${'long'.repeat(400)}`,
];

let store: SessionStore;
let h: Harness;
beforeAll(async () => {
  store = await createPgliteStore();
  const telemetry = new MemoryTelemetryStore();
  await telemetry.insert({ kind: 'requests', id: 'hostile', rows: HOSTILE.map((path, i) => row(T0 + i, path, { shaping: i === 0 ? '-1 ms' : '' })) });
  h = await startHarness(store, { telemetry });
});
afterAll(async () => {
  await h.close();
  await store.close();
});

describe('GET /admin/analytics/export.csv', () => {
  it('streams RFC 4180 CSV with a header, quoting, and formula cells neutralised', async () => {
    const res = await h.call('GET', `/admin/analytics/export.csv?${range}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="downspin-requests-20260202T080000Z-20260202T090000Z.csv"');
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('time,ts,sessionHash,proxyId,method,host,path,route,status,upstreamMs,totalMs,injectedMs,bytesIn,bytesOut,shaping,shapingVersion,fault,error,country');
    expect(lines[1]).toBe(
      `2026-02-02T08:00:00.000Z,${T0},abcabcabcabc,p1,GET,app.test,"'=HYPERLINK(""http://evil.test"",""x"")","'=HYPERLINK(""http://evil.test"",""x"")",200,1.5,2.25,0,0,10,'-1 ms,0,,,LO`,
    );
    expect(lines[2]).toContain(",'+1+2,'+1+2,");
    // A text cell starting with "-" is escaped; a negative number cannot occur (all figures are ≥ 0).
    expect(lines[3]).toContain(",'-3,'-3,");
    expect(lines[4]).toContain(",'@SUM(A1:A9),");
    expect(lines[5]).toContain(',"/a,b","/a,b",');
    expect(lines[6]).toContain(',"/say ""hi""",');
    expect(lines[7]).toContain(",/it's\\back,/it's\\back,");
    // A line break inside a quoted cell: the record continues on the next physical line.
    expect(text).toContain(',"/line\nbreak","/line\nbreak",');
    expect(text).toContain(',/nul\u0000byte,');
    expect(text).toContain(`/${'long'.repeat(400)}`);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('sends only the header for an empty range, and narrows to a session', async () => {
    const empty = await h.call('GET', '/admin/analytics/export.csv?from=2020-01-01&to=2020-01-02');
    expect(await empty.text()).toMatch(/^time,ts,sessionHash,[^\r\n]*,country\r\n$/);
    const other = await h.call('GET', `/admin/analytics/export.csv?${range}&session=ffffffffffff`);
    expect((await other.text()).split('\r\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('GET /admin/analytics/export.json', () => {
  it('streams one JSON array, one row per line, every string intact', async () => {
    const res = await h.call('GET', `/admin/analytics/export.json?${range}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="downspin-requests-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.json"$/);
    const text = await res.text();
    const rows = JSON.parse(text) as Array<RequestRow & { time: string }>;
    expect(rows.map((r) => r.path)).toEqual(HOSTILE);
    expect(rows[0]).toEqual({ time: '2026-02-02T08:00:00.000Z', ...row(T0, HOSTILE[0]!, { shaping: '-1 ms' }) });
    expect(text.split('\n')).toHaveLength(HOSTILE.length + 3);
    const empty = await h.call('GET', '/admin/analytics/export.json?from=2020-01-01&to=2020-01-02');
    expect(await empty.json()).toEqual([]);
  });
});

describe('export streaming', () => {
  /** Yields rows forever, counting them; tells when the consumer let go. */
  class EndlessStore extends MemoryTelemetryStore {
    yielded = 0;
    released = false;
    constructor(private readonly failAfter = Infinity) {
      super();
    }
    override async *exportRequests(): AsyncIterable<RequestRow> {
      try {
        for (;;) {
          if (this.yielded >= this.failAfter) throw new TelemetryStoreError('ClickHouse unreachable: socket hang up', true);
          yield row(T0 + this.yielded, `/rows/${this.yielded}`);
          this.yielded++;
        }
      } finally {
        this.released = true;
      }
    }
  }

  it('reads from the store only as fast as the client reads, and stops the query when the client goes', async () => {
    const endless = new EndlessStore();
    const api = await startHarness(store, { telemetry: endless });
    try {
      const res = await api.call('GET', '/admin/analytics/export.json');
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toMatch(/^\[\n\{"time":/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // One chunk sent and at most one more prepared: a few thousand rows, not "all of them".
      expect(endless.yielded).toBeLessThanOrEqual(2000);
      await reader.cancel();
      expect(endless.released).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('aborts the transfer when the store fails midway, never ending it cleanly', async () => {
    const api = await startHarness(store, { telemetry: new EndlessStore(1200) });
    try {
      const res = await api.call('GET', '/admin/analytics/export.csv');
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow(/socket hang up/);
    } finally {
      await api.close();
    }
  });

  it('exports 30 000 rows from the memory store in time order', async () => {
    const telemetry = new MemoryTelemetryStore();
    const many = Array.from({ length: 30_000 }, (_, i) => row(T0 + 30_000 - i, `/n/${30_000 - i}`));
    for (let i = 0; i < many.length; i += 5000) await telemetry.insert({ kind: 'requests', id: `b${i}`, rows: many.slice(i, i + 5000) });
    const api = await startHarness(store, { telemetry });
    try {
      const res = await api.call('GET', `/admin/analytics/export.csv?${range}`);
      const lines = (await res.text()).split('\r\n').filter(Boolean);
      expect(lines).toHaveLength(30_001);
      expect(lines[1]).toContain(',/n/1,');
      expect(lines[30_000]).toContain(',/n/30000,');
    } finally {
      await api.close();
    }
  });
});
