import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { request } from '../contract-fixtures.js';
import { describeTelemetryStoreContract } from '../store-contract.js';
import { dayKey } from './retention.js';
import { quote } from './sql.js';
import { ClickHouseTelemetryStore, toStoreError } from './store.js';

const url = inject('clickhouseUrl');
const runId = inject('runId');
let databases = 0;
const opened: ClickHouseTelemetryStore[] = [];

/** A fresh database per store, so tests never see each other's rows. */
async function freshStore(options: { retentionDays?: number; exportWindowRows?: number } = {}): Promise<ClickHouseTelemetryStore> {
  const store = new ClickHouseTelemetryStore({ url, database: `downspin_test_${runId}_ch${++databases}`, ...options });
  opened.push(store);
  await store.start();
  return store;
}

afterAll(async () => {
  const admin = createClient({ url });
  for (const store of opened) await admin.command({ query: `DROP DATABASE IF EXISTS ${store.database}` });
  await admin.close();
});

// Small export windows make the contract's export cross several of them.
describeTelemetryStoreContract('clickhouse', () => freshStore({ exportWindowRows: 2 }));

describe('ClickHouseTelemetryStore', () => {
  it('escapes every string it puts into SQL so the server reads back exactly that string', async () => {
    const client = createClient({ url });
    const hostile = "a'b\\c\\'d\0e\nf\rg\th ' OR 1=1 -- 日本 🙂";
    const result = await client.query({ query: `SELECT ${quote(hostile)} AS s`, format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ s: hostile }]);
    await client.close();
  });

  it('applies its migrations once, recording them, and again finds nothing to do', async () => {
    const store = await freshStore();
    const client = createClient({ url, database: store.database });
    const applied = await client.query({ query: 'SELECT name FROM downspin_migrations ORDER BY version', format: 'JSONEachRow' });
    expect((await applied.json<{ name: string }>()).map((r) => r.name)).toEqual([
      '001_requests.sql',
      '002_ws_connections.sql',
      '003_client_events.sql',
      '004_requests_minute.sql',
    ]);
    // A second process starting on the same database changes nothing.
    const again = new ClickHouseTelemetryStore({ url, database: store.database });
    await again.start();
    const count = await client.query({ query: 'SELECT count() AS n FROM downspin_migrations', format: 'JSONEachRow' });
    expect(await count.json()).toEqual([{ n: '4' }]);
    await again.close();
    await client.close();
  });

  it('on a retry, stores only the rows of a batch that an interrupted insert did not', async () => {
    const store = await freshStore();
    const rows = [0, 1, 2, 3].map((i) => request({ ts: Date.UTC(2025, 0, 1) + i * 1000, sessionHash: 'aaaaaaaaaaaa', path: `/${i}`, route: '/' }));
    // Simulate an insert cut short after its first part: rows 0 and 2 of the batch are stored.
    const client = createClient({ url, database: store.database });
    await client.insert({
      table: 'requests',
      format: 'JSONEachRow',
      values: [0, 2].map((seq) => ({ ts: rows[seq]!.ts, session_hash: 'aaaaaaaaaaaa', path: `/${seq}`, route: '/', batch_id: 'cut', batch_seq: seq })),
    });
    await store.insert({ kind: 'requests', id: 'cut', rows }, { mayExist: true });
    const stored = client.query({ query: "SELECT batch_seq FROM requests WHERE batch_id = 'cut' ORDER BY batch_seq", format: 'JSONEachRow' });
    expect(await (await stored).json()).toEqual([0, 1, 2, 3].map((batch_seq) => ({ batch_seq })));
    await client.close();
  });

  it('drops day partitions older than the retention in every table, keeping younger ones', async () => {
    const store = await freshStore({ retentionDays: 90 });
    const now = Date.UTC(2025, 5, 1, 12);
    const day = 86_400_000;
    const at = (days: number) => request({ ts: now - days * day, sessionHash: 'aaaaaaaaaaaa', path: '/', route: '/' });
    await store.insert({ kind: 'requests', id: 'old', rows: [at(100), at(91.5), at(89), at(0)] });
    await store.insert({ kind: 'websockets', id: 'old-ws', rows: [{ ...at(100), durationMs: 1, messagesIn: 0, messagesOut: 0, closeCode: 1000 }] });

    const dropped = await store.applyRetention(now);
    expect(dropped).toEqual(
      expect.arrayContaining([
        { table: 'requests', partition: String(dayKey(now - 100 * day)) },
        { table: 'requests', partition: String(dayKey(now - 91.5 * day)) },
        { table: 'requests_minute', partition: String(dayKey(now - 100 * day)) },
        { table: 'ws_connections', partition: String(dayKey(now - 100 * day)) },
      ]),
    );
    expect(dropped).toHaveLength(5);
    const left = await store.overview({ from: now - 200 * day, to: now + day });
    expect(left.requests).toBe(2);
    const chart = await store.timeseries({ from: now - 120 * day, to: now + day, bucket: 'day' });
    expect(chart.reduce((sum, p) => sum + p.requests, 0)).toBe(2);
  });

  it('migrates again when the server has lost its database, instead of failing forever', async () => {
    const store = await freshStore();
    const admin = createClient({ url });
    await admin.command({ query: `DROP DATABASE ${store.database}` });
    await admin.close();
    await store.insert({ kind: 'requests', id: 'after-loss', rows: [request({ ts: Date.UTC(2025, 0, 1), sessionHash: 'aaaaaaaaaaaa', path: '/', route: '/' })] });
    expect((await store.overview({ from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) })).requests).toBe(1);
  });

  it('tells data the server refuses (not retryable) from trouble that passes (retryable)', async () => {
    const store = await freshStore();
    // Quiet: the errors below are the point of this test.
    const client = createClient({ url, database: store.database, log: { level: ClickHouseLogLevel.OFF } });
    const refused = await client.command({ query: "INSERT INTO requests (ts) VALUES ('not a number')" }).catch((e: unknown) => e);
    expect(toStoreError(refused)).toMatchObject({ retryable: false });
    const missing = await client.query({ query: 'SELECT * FROM no_such_table' }).catch((e: unknown) => e);
    expect(toStoreError(missing)).toMatchObject({ retryable: true });
    expect(toStoreError(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toMatchObject({ retryable: true });
    await client.close();
  });

  it('shows an unreachable server in health and rejects work with a retryable error', async () => {
    const store = new ClickHouseTelemetryStore({ url: 'http://127.0.0.1:9', database: 'nowhere', requestTimeoutMs: 2000 });
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/unreachable/);
    await expect(store.insert({ kind: 'requests', id: 'x', rows: [request({ ts: 1, sessionHash: 'a', path: '/', route: '/' })] })).rejects.toMatchObject({
      name: 'TelemetryStoreError',
      retryable: true,
    });
    await store.close();
  });
});
