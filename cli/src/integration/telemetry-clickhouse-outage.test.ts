import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@clickhouse/client';
import { MemoryBus } from '@downspin/bus';
import { ClickHouseTelemetryStore, TelemetryWriter } from '@downspin/db';
import { startProxy, type RunningProxy } from '@downspin/proxy';
import { eventually, startClickHouse, startTestUpstream, type ClickHouseServer, type TestUpstream } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/*
 * ClickHouse dies (SIGKILL) for 11 s while traffic flows through a real
 * proxy whose telemetry goes through the writer into ClickHouse. Its own
 * server, so the one other test files share is never killed.
 */
describe('proxy telemetry across a ClickHouse outage', () => {
  let server: ClickHouseServer;
  let spillDir: string;
  let upstream: TestUpstream;
  let bus: MemoryBus;
  let store: ClickHouseTelemetryStore;
  let writer: TelemetryWriter;
  let proxy: RunningProxy;

  beforeAll(async () => {
    server = await startClickHouse();
    spillDir = await mkdtemp(path.join(tmpdir(), 'downspin-analytics-outage-'));
    upstream = await startTestUpstream();
    bus = new MemoryBus();
    store = new ClickHouseTelemetryStore({ url: server.url, database: 'outage', requestTimeoutMs: 5000 });
    await store.start();
    writer = await TelemetryWriter.open({ store, spillDir, batchSize: 500, flushIntervalMs: 100, maxQueuedRows: 1000, retryMinMs: 100, retryMaxMs: 1000 });
    proxy = await startProxy({ target: upstream.url, port: 0, bus, loadShaping: async () => [], telemetry: writer });
  });
  afterAll(async () => {
    await proxy?.close();
    await writer?.close();
    await store?.close();
    await server?.stop();
    await upstream?.stop();
    await bus?.close();
    await rm(spillDir, { recursive: true, force: true });
  });

  it('delivers every row exactly once, and the proxy answers as fast during the outage as before', { timeout: 120_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const { port } = new URL(proxy.url);
    let sent = 0;
    type Phase = 'before' | 'outage' | 'after';
    let phase = 'before' as Phase;
    const latencies: Record<Phase, number[]> = { before: [], outage: [], after: [] };
    let stop = false;

    const one = (n: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const req = http.get({ host: '127.0.0.1', port, path: `/o/${n}`, agent, headers: { 'x-downspin-session': 'outage-session' } }, (res) => {
          res.resume();
          res.on('end', () => {
            expect(res.statusCode).toBe(200);
            latencies[phase].push(performance.now() - started);
            resolve();
          });
        });
        req.on('error', reject);
      });
    // Two clients, each about 150 requests a second: bounded, and gentle on a shared machine.
    const client = async (): Promise<void> => {
      while (!stop) {
        await one(sent++);
        await sleep(5);
      }
    };
    const clients = [client(), client()];

    await eventually(() => expect(writer.stats().written).toBeGreaterThan(300), 20_000);
    await sleep(1000);
    phase = 'outage';
    const restarted = server.restart({ signal: 'SIGKILL', downMs: 11_000 });
    await eventually(async () => expect(await store.health()).toMatchObject({ ok: false }), 10_000);
    // While it is down: by the time the restart resolves, a retry may already have got through.
    await eventually(() => expect(writer.stats().storeOk).toBe(false), 10_000);
    await restarted;
    phase = 'after';
    await sleep(1000);
    stop = true;
    await Promise.all(clients);
    agent.destroy();

    await eventually(() => {
      const s = writer.stats();
      expect(s.queued + s.onDisk).toBe(0);
      expect(s.written).toBe(sent);
    }, 60_000);
    const stats = writer.stats();
    expect(stats.spilled).toBeGreaterThan(0);
    expect(stats.dropped).toBe(0);
    expect(proxy.stats().telemetry.dropped).toBe(0);

    const client2 = createClient({ url: server.url, database: 'outage' });
    const result = await client2.query({ query: "SELECT count() AS n, uniqExact(path) AS paths FROM requests WHERE session_hash != ''", format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ n: String(sent), paths: String(sent) }]);
    await client2.close();

    // Latency while ClickHouse was down vs before, within a tolerance for a busy 2-core machine.
    expect(latencies.outage.length).toBeGreaterThan(500);
    const before = median(latencies.before);
    const outage = median(latencies.outage);
    expect(outage, `median before ${before.toFixed(2)} ms, during the outage ${outage.toFixed(2)} ms`).toBeLessThan(before * 2 + 5);
  });
});
