import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import type { RequestRow } from '@downspin/protocol';
import { startClickHouse, type ClickHouseServer } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { request } from '../contract-fixtures.js';
import type { InsertOptions, TelemetryBatch } from '../types.js';
import { TelemetryWriter } from '../writer.js';
import { ClickHouseTelemetryStore } from './store.js';

/** Fires `onInsert` once, a few ms into an insert: the kill then tends to land while the server handles it. */
class KillableStore extends ClickHouseTelemetryStore {
  onInsert: (() => void) | undefined;

  override insert(batch: TelemetryBatch, options?: InsertOptions): Promise<void> {
    const inserting = super.insert(batch, options);
    const fire = this.onInsert;
    this.onInsert = undefined;
    if (fire !== undefined) setTimeout(fire, 3);
    return inserting;
  }
}

/*
 * The whole path against a real server that dies: rows flow through the
 * writer while ClickHouse is killed (SIGKILL, mid-insert if it happens to
 * be) for 11 s and restarted on the same data dir and ports. Its own server,
 * so the shared one other test files use is never killed.
 */
describe('TelemetryWriter + ClickHouse outage', () => {
  let server: ClickHouseServer;
  let spillDir: string;

  beforeAll(async () => {
    server = await startClickHouse({ timezone: 'America/St_Johns' });
    spillDir = await mkdtemp(path.join(tmpdir(), 'downspin-outage-spill-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(spillDir, { recursive: true, force: true });
  });

  it('delivers every row exactly once across a kill and restart of ClickHouse', { timeout: 120_000 }, async () => {
    const store = new KillableStore({ url: server.url, database: 'outage', requestTimeoutMs: 5000 });
    await store.start();
    const writer = await TelemetryWriter.open({
      store,
      spillDir,
      batchSize: 500,
      flushIntervalMs: 100,
      maxQueuedRows: 1000,
      retryMinMs: 100,
      retryMaxMs: 1000,
    });

    // About 1000 rows a second, each with a unique path, like a busy proxy's emitter.
    const start = Date.now();
    let sent = 0;
    const produce = setInterval(() => {
      const rows: RequestRow[] = [];
      for (let i = 0; i < 20; i++, sent++) {
        rows.push(request({ ts: start + sent, sessionHash: 'aaaaaaaaaaaa', path: `/row/${sent}`, route: '/row/:id' }));
      }
      writer.writeRequests(rows);
    }, 20);

    await vi.waitFor(() => expect(writer.stats().written).toBeGreaterThan(1000), { timeout: 20_000 });
    const outage = new Promise<void>((resolve, reject) => {
      store.onInsert = () => {
        server.restart({ signal: 'SIGKILL', downMs: 11_000 }).then(resolve, reject);
      };
    });
    // While it is down, the store says so (this is what /health shows) and the writer holds the rows.
    await vi.waitFor(async () => expect(await store.health()).toMatchObject({ ok: false }), { timeout: 10_000 });
    await outage;
    expect(await store.health()).toMatchObject({ ok: true });
    const duringOutage = writer.stats();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    clearInterval(produce);

    await vi.waitFor(
      () => {
        const s = writer.stats();
        expect(s.queued + s.onDisk).toBe(0);
        expect(s.written).toBe(sent);
      },
      { timeout: 60_000, interval: 200 },
    );
    const stats = await writer.close();
    expect(duringOutage.storeOk).toBe(false);
    expect(stats.spilled).toBeGreaterThan(5000);
    expect(stats.replayed).toBe(stats.spilled);
    expect(stats.dropped).toBe(0);

    const client = createClient({ url: server.url, database: 'outage' });
    const result = await client.query({
      query: "SELECT count() AS n, uniqExact(path) AS unique_paths, min(ts) AS first, max(ts) AS last FROM requests WHERE route = '/row/:id'",
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ n: String(sent), unique_paths: String(sent), first: String(start), last: String(start + sent - 1) }]);
    await client.close();
    await store.close();
  });
});
