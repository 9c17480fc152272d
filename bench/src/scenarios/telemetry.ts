import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseTelemetryStore, TelemetryWriter } from '@downspin/db';
import type { RequestRow } from '@downspin/protocol';
import { startClickHouse, type ClickHouseServer } from '@downspin/testing';
import { forkChild } from '../processes.js';
import type { Check } from '../report.js';
import { TelemetryChildSaysSchema, type TelemetryChildSays, type TelemetryMode } from './telemetry-messages.js';
import { measureThroughput, type ThroughputOptions, type ThroughputRow } from './throughput.js';

/**
 * Telemetry costs: how many rows a second the writer sustains into
 * ClickHouse, and the proxy's requests/s with telemetry off, into the memory
 * store and into ClickHouse (each proxy in its own process, wrk rounds
 * interleaved as in section 1).
 */

const START_TIMEOUT_MS = 30_000;
/** Names of the targets, as printed. */
export const TELEMETRY_TARGETS: Record<TelemetryMode, string> = { off: 'telemetry off', memory: 'writer → memory', clickhouse: 'writer → clickhouse' };

/** A private ClickHouse for the bench (Debian's clickhouse-server), or why there is none. */
export async function benchClickHouse(): Promise<{ server: ClickHouseServer } | { missing: string }> {
  try {
    return { server: await startClickHouse() };
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) };
  }
}

export interface WriterRate {
  rowsPerSec: number;
  seconds: number;
  batchSize: number;
  /** Rows handed to the writer, and what ClickHouse holds afterwards (should be equal). */
  accepted: number;
  stored: number;
  dropped: number;
}

function benchRow(i: number, ts: number): RequestRow {
  return {
    ts,
    sessionHash: (i % 97).toString(16).padStart(12, '0'),
    proxyId: 'bench',
    method: i % 5 === 0 ? 'POST' : 'GET',
    host: 'app.test',
    path: `/api/items/${i}`,
    route: '/api/items/:id',
    status: i % 50 === 0 ? 503 : 200,
    upstreamMs: 2.5,
    totalMs: 3 + (i % 40),
    injectedMs: 0,
    bytesIn: 120,
    bytesOut: 2048,
    shaping: i % 3 === 0 ? 'latency 400±100ms uniform' : '',
    shapingVersion: i % 3 === 0 ? 2 : 0,
    fault: '',
    error: '',
    country: 'LO',
  };
}

async function countRows(server: ClickHouseServer, table: string): Promise<number> {
  const res = await fetch(server.url, { method: 'POST', body: `SELECT count() FROM ${table}` });
  if (!res.ok) throw new Error(`count failed: ${await res.text()}`);
  return Number((await res.text()).trim());
}

/**
 * Feeds the writer as fast as it takes rows (keeping its queue below its
 * bound, so nothing is dropped) for `seconds`, and counts what it wrote in
 * that time. Then drains and checks ClickHouse holds every row once.
 */
export async function measureWriterRate(server: ClickHouseServer, seconds: number, batchSize: number): Promise<WriterRate> {
  const store = new ClickHouseTelemetryStore({ url: server.url, database: `bench_writer_${batchSize}` });
  await store.start();
  const writer = await TelemetryWriter.open({ store, batchSize, maxQueuedRows: 200_000, flushIntervalMs: 200 });
  let accepted = 0;
  const feedUntil = async (deadline: number): Promise<void> => {
    while (Date.now() < deadline) {
      if (writer.stats().queued < 100_000) {
        const now = Date.now();
        const rows: RequestRow[] = [];
        for (let i = 0; i < 2000; i++) rows.push(benchRow(accepted + i, now));
        writer.writeRequests(rows);
        accepted += rows.length;
      }
      await sleep(1);
    }
  };
  try {
    await feedUntil(Date.now() + 1000); // warm-up: schema, connections, JIT
    const written0 = writer.stats().written;
    const t0 = performance.now();
    await feedUntil(Date.now() + seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    const rowsPerSec = (writer.stats().written - written0) / elapsed;
    const stats = await writer.close(60_000);
    return { rowsPerSec, seconds: elapsed, batchSize, accepted, stored: await countRows(server, `bench_writer_${batchSize}.requests`), dropped: stats.dropped };
  } finally {
    await writer.close();
    await store.close();
  }
}

interface TelemetryChild {
  mode: TelemetryMode;
  url: string;
  stats(): Promise<Extract<TelemetryChildSays, { type: 'stats' }>>;
  stop(): Promise<void>;
}

async function startTelemetryChild(target: string, mode: TelemetryMode, clickhouseUrl: string | undefined): Promise<TelemetryChild> {
  const child = await forkChild(new URL('./telemetry-child.js', import.meta.url), {
    name: mode,
    args: [target, mode, ...(clickhouseUrl === undefined ? [] : [clickhouseUrl])],
    parse: (raw) => TelemetryChildSaysSchema.safeParse(raw),
    timeoutMs: START_TIMEOUT_MS,
  });
  return {
    mode,
    url: child.url,
    async stats() {
      const said = await child.ask({ type: 'stats' });
      if (said.type !== 'stats') throw new Error(`${mode}: ${said.type === 'failed' ? said.message : said.type}`);
      return said;
    },
    stop: child.stop,
  };
}

export interface TelemetryOverhead {
  rows: ThroughputRow[];
  /** Per mode with a writer: requests the proxy served, rows the writer wrote, rows dropped. */
  delivery: Array<{ name: string; requests: number; written: number; dropped: number }>;
  /** Per mode: the proxy process's CPU time (user + system) over the rounds ÷ requests served in them. */
  cpu: Array<{ name: string; mode: TelemetryMode; microsPerRequest: number; requests: number }>;
  /** The ClickHouse server's own CPU over the same window ÷ the ClickHouse proxy's requests in it (where /proc tells). */
  clickhouseMicrosPerRequest: number | undefined;
}

/** Proxies with telemetry off / memory / ClickHouse in front of the same upstream, measured in interleaved rounds. */
export async function measureTelemetryOverhead(
  upstreamUrl: string,
  clickhouseUrl: string | undefined,
  options: ThroughputOptions,
  progress: (line: string) => void,
  /** The ClickHouse server's CPU time so far (µs), if it can be read. */
  clickhouseCpuMicros: () => number | undefined = () => undefined,
): Promise<TelemetryOverhead> {
  const modes: TelemetryMode[] = clickhouseUrl === undefined ? ['off', 'memory'] : ['off', 'memory', 'clickhouse'];
  const children: TelemetryChild[] = [];
  let clickhouseStart: number | undefined;
  try {
    for (const mode of modes) children.push(await startTelemetryChild(upstreamUrl, mode, clickhouseUrl));
    const rows = await measureThroughput(
      children.map((c) => ({ name: TELEMETRY_TARGETS[c.mode], url: c.url })),
      options,
      progress,
      // Asking opens each child's CPU window: the warm-up (JIT, first allocations) stays out of it.
      async () => {
        for (const child of children) await child.stats();
        clickhouseStart = clickhouseCpuMicros();
      },
    );
    const delivery: TelemetryOverhead['delivery'] = [];
    const cpu: TelemetryOverhead['cpu'] = [];
    for (const child of children) {
      const stats = await child.stats();
      const name = TELEMETRY_TARGETS[child.mode];
      cpu.push({ name, mode: child.mode, microsPerRequest: stats.window.cpuMicros / Math.max(1, stats.window.requests), requests: stats.window.requests });
      if (child.mode === 'off') continue;
      delivery.push({ name, requests: stats.requests, written: stats.written, dropped: stats.dropped });
    }
    // After the children's last flush: their last inserts are in the window too.
    const clickhouseUsed = clickhouseStart === undefined ? undefined : (clickhouseCpuMicros() ?? clickhouseStart) - clickhouseStart;
    const clickhouseRequests = cpu.find((c) => c.mode === 'clickhouse')?.requests ?? 0;
    const clickhouseMicrosPerRequest = clickhouseUsed === undefined || clickhouseRequests === 0 ? undefined : clickhouseUsed / clickhouseRequests;
    return { rows, delivery, cpu, clickhouseMicrosPerRequest };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function writerChecks(rate: WriterRate): Check[] {
  return [
    {
      label: `writer → clickhouse, batches of ${int(rate.batchSize)}, ${rate.seconds.toFixed(1)} s (${int(rate.stored)} of ${int(rate.accepted)} rows stored, ${rate.dropped} dropped)`,
      value: `${int(rate.rowsPerSec)} rows/s`,
      target: '≥ 100,000 rows/s',
      pass: rate.rowsPerSec >= 100_000 && rate.stored === rate.accepted && rate.dropped === 0,
    },
  ];
}

/**
 * The CPU each proxy process spent per request over the rounds, and for
 * each telemetry mode its share: its µs/request − off's. ClickHouse runs in
 * its own process; its CPU is not in these figures.
 */
export function cpuInfo({ cpu, clickhouseMicrosPerRequest }: Pick<TelemetryOverhead, 'cpu' | 'clickhouseMicrosPerRequest'>): [string, string][] {
  const off = cpu.find((c) => c.mode === 'off');
  const server: [string, string][] =
    clickhouseMicrosPerRequest === undefined ? [] : [["ClickHouse server's own CPU ÷ the writer → clickhouse proxy's requests", `${clickhouseMicrosPerRequest.toFixed(1)} µs/request`]];
  return cpu.map((c): [string, string] => {
    const share = off === undefined || c === off ? '' : ` (telemetry ${c.microsPerRequest - off.microsPerRequest >= 0 ? '+' : ''}${(c.microsPerRequest - off.microsPerRequest).toFixed(1)} µs)`;
    const note = c.mode === 'clickhouse' ? ", not ClickHouse's (its own process)" : '';
    return [`${c.name}: proxy CPU ÷ ${int(c.requests)} requests${note}`, `${c.microsPerRequest.toFixed(1)} µs/request${share}`];
  }).concat(server);
}

/** Telemetry must cost under 5 % of the proxy's requests/s: each mode ÷ off ≥ 0.95. */
export function overheadChecks(rows: readonly ThroughputRow[]): Check[] {
  const off = rows.find((r) => r.name === TELEMETRY_TARGETS.off);
  if (off === undefined) return [];
  return rows
    .filter((r) => r !== off)
    .map((r) => {
      const ratio = r.loaded.requestsPerSec / off.loaded.requestsPerSec;
      return { label: `${r.name} req/s ÷ telemetry off req/s`, value: ratio.toFixed(2), target: '≥ 0.95', pass: ratio >= 0.95 };
    });
}
