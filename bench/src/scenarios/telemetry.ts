import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseTelemetryStore, DEFAULT_BATCH_SIZE, TelemetryWriter } from '@downspin/db';
import type { RequestRow } from '@downspin/protocol';
import { startClickHouse, type ClickHouseServer } from '@downspin/testing';
import { forkChild } from '../processes.js';
import { benchRow } from './bench-rows.js';
import type { Check } from '../report.js';
import { median } from '../stats.js';
import { TelemetryChildSaysSchema, type TelemetryChildSays, type TelemetryMode } from './telemetry-messages.js';
import { measureRound, pairedRatio, throughputRows, warmUp, type RoundResult, type ThroughputOptions, type ThroughputRow } from './throughput.js';

/**
 * Telemetry costs: how many rows a second the writer sustains into
 * ClickHouse, and the proxy's requests/s with telemetry off, into the memory
 * store and into ClickHouse (each proxy in its own process, wrk rounds
 * interleaved as in section 1).
 */

const START_TIMEOUT_MS = 30_000;
/** Names of the targets, as printed. */
export const TELEMETRY_TARGETS: Record<TelemetryMode, string> = { off: 'telemetry off', memory: 'writer → memory', clickhouse: 'writer → clickhouse' };
/**
 * A second telemetry-off process, measured like the others: its ratio to the
 * first is what the measurement alone makes of two identical proxies.
 */
export const CONTROL_TARGET = 'telemetry off, again';

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
  name: string;
  url: string;
  /** What filling its memory store took, before it said ready. */
  fill: { rows: number; cpuMicros: number } | undefined;
  stats(): Promise<Extract<TelemetryChildSays, { type: 'stats' }>>;
  stop(): Promise<void>;
}

async function startTelemetryChild(target: string, mode: TelemetryMode, name: string, clickhouseUrl: string | undefined): Promise<TelemetryChild> {
  const child = await forkChild(new URL('./telemetry-child.js', import.meta.url), {
    name,
    args: [target, mode, ...(clickhouseUrl === undefined ? [] : [clickhouseUrl])],
    parse: (raw) => TelemetryChildSaysSchema.safeParse(raw),
    timeoutMs: START_TIMEOUT_MS,
  });
  return {
    mode,
    name,
    url: child.url,
    fill: child.ready.type === 'ready' ? child.ready.fill : undefined,
    async stats() {
      const said = await child.ask({ type: 'stats' });
      if (said.type !== 'stats') throw new Error(`${name}: ${said.type === 'failed' ? said.message : said.type}`);
      return said;
    },
    stop: child.stop,
  };
}

export interface TelemetryOverhead {
  rows: ThroughputRow[];
  /** Per mode with a writer: requests the proxy served, rows the writer wrote, rows dropped. */
  delivery: Array<{ name: string; requests: number; written: number; dropped: number }>;
  /** Per proxy (each mode, then the control): its process's CPU time (user + system) over the rounds ÷ requests served in them. */
  cpu: Array<{ name: string; mode: TelemetryMode; microsPerRequest: number; otherMicrosPerRequest: number | undefined; requests: number }>;
  /** The ClickHouse server's own CPU over the same window ÷ the ClickHouse proxy's requests in it (where /proc tells). */
  clickhouseMicrosPerRequest: number | undefined;
  /** The memory store's fill before the rounds (once per process): rows, and the median over the rounds of its CPU per row. */
  fill: { rows: number; microsPerRow: number } | undefined;
}

/**
 * Proxies with telemetry off / memory / ClickHouse (and the control) in front
 * of the same upstream, measured in interleaved rounds, each round on fresh
 * processes. A process keeps its own speed for life: in one run on the same
 * processes throughout, telemetry off spent 169 µs a request and the
 * memory-store proxy beside it, doing more work, 157, and one set of
 * processes counts such a gap as telemetry's cost or gain in every round.
 * Started anew, each round draws its own.
 */
export async function measureTelemetryOverhead(
  upstreamUrl: string,
  clickhouseUrl: string | undefined,
  options: ThroughputOptions,
  progress: (line: string) => void,
  /** The ClickHouse server's CPU time so far (µs), if it can be read. */
  clickhouseCpuMicros: () => number | undefined = () => undefined,
): Promise<TelemetryOverhead> {
  const modes: TelemetryMode[] = clickhouseUrl === undefined ? ['off', 'memory'] : ['off', 'memory', 'clickhouse'];
  const legs = [...modes.map((mode) => ({ mode, name: TELEMETRY_TARGETS[mode] })), { mode: 'off' as const, name: CONTROL_TARGET }];
  const totals = new Map(legs.map((l) => [l.name, { cpuMicros: 0, mainMicros: 0 as number | undefined, windowRequests: 0, requests: 0, written: 0, dropped: 0 }]));
  let clickhouseUsed: number | undefined;
  const fills: Array<{ rows: number; cpuMicros: number }> = [];
  const rounds: RoundResult[][] = [];
  for (let round = 0; round < options.rounds; round++) {
    const children: TelemetryChild[] = [];
    try {
      for (const { mode, name } of legs) children.push(await startTelemetryChild(upstreamUrl, mode, name, mode === 'clickhouse' ? clickhouseUrl : undefined));
      for (const child of children) if (child.fill !== undefined) fills.push(child.fill);
      const targets = children.map((c) => ({ name: c.name, url: c.url }));
      // Until each has served more than a ClickHouse batch: the ClickHouse proxy's first full
      // insert (encoding 20,000 rows, sending them), and the JIT that path gets, are then behind it.
      // With 1 s each, its first full insert fell inside the window in every round, where a
      // running proxy has long compiled it; the memory store's path runs every 25 ms from the start.
      await warmUp(targets, options, { untilRequests: 1.5 * DEFAULT_BATCH_SIZE, maxSlices: 8 });
      // Asking opens each child's CPU window: the warm-up (JIT, first allocations) stays out of it.
      for (const child of children) await child.stats();
      const clickhouseStart = clickhouseCpuMicros();
      rounds.push(await measureRound(targets, options, round, progress));
      for (const child of children) {
        const stats = await child.stats();
        const total = totals.get(child.name)!;
        total.cpuMicros += stats.window.cpuMicros;
        const main = stats.window.mainMicros;
        total.mainMicros = main === null || total.mainMicros === undefined ? undefined : total.mainMicros + main;
        total.windowRequests += stats.window.requests;
        total.requests += stats.requests;
        total.written += stats.written;
        total.dropped += stats.dropped;
      }
      // After the children's last flush: their last inserts are in the window too.
      const clickhouseEnd = clickhouseCpuMicros();
      if (clickhouseStart !== undefined && clickhouseEnd !== undefined) clickhouseUsed = (clickhouseUsed ?? 0) + clickhouseEnd - clickhouseStart;
    } finally {
      await Promise.all(children.map((c) => c.stop()));
    }
  }
  const delivery: TelemetryOverhead['delivery'] = [];
  const cpu: TelemetryOverhead['cpu'] = [];
  for (const { mode, name } of legs) {
    const total = totals.get(name)!;
    const requests = Math.max(1, total.windowRequests);
    const otherMicrosPerRequest = total.mainMicros === undefined ? undefined : (total.cpuMicros - total.mainMicros) / requests;
    cpu.push({ name, mode, microsPerRequest: total.cpuMicros / requests, otherMicrosPerRequest, requests: total.windowRequests });
    if (mode !== 'off') delivery.push({ name, requests: total.requests, written: total.written, dropped: total.dropped });
  }
  const clickhouseRequests = cpu.find((c) => c.mode === 'clickhouse')?.requests ?? 0;
  const clickhouseMicrosPerRequest = clickhouseUsed === undefined || clickhouseRequests === 0 ? undefined : clickhouseUsed / clickhouseRequests;
  const fill = fills.length === 0 ? undefined : { rows: fills[0]!.rows, microsPerRow: median(fills.map((f) => f.cpuMicros / f.rows)) };
  return {
    fill,
    rows: throughputRows(
      legs.map((l) => l.name),
      rounds,
    ),
    delivery,
    cpu,
    clickhouseMicrosPerRequest,
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;

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
 * each telemetry mode its share: its µs/request − off's; of each, the part
 * its threads other than the main one spent (V8's workers: GC and
 * optimising compiles), CPU the main thread's figure alone would not show.
 * ClickHouse runs in its own process; its CPU is not in these figures.
 */
export function cpuInfo({ cpu, clickhouseMicrosPerRequest, fill }: Pick<TelemetryOverhead, 'cpu' | 'clickhouseMicrosPerRequest' | 'fill'>): [string, string][] {
  const off = cpu.find((c) => c.mode === 'off');
  const server: [string, string][] =
    clickhouseMicrosPerRequest === undefined ? [] : [["ClickHouse server's own CPU ÷ the writer → clickhouse proxy's requests", `${clickhouseMicrosPerRequest.toFixed(1)} µs/request`]];
  if (fill !== undefined) {
    server.push([`${TELEMETRY_TARGETS.memory}: its store filled with ${int(fill.rows)} rows before the rounds (once per process, as its first ${int(fill.rows)} requests would)`, `${fill.microsPerRow.toFixed(1)} µs/row`]);
  }
  return cpu.map((c): [string, string] => {
    const against = c === off ? undefined : off;
    const total = against === undefined ? undefined : `${c.name === CONTROL_TARGET ? 'same build' : 'telemetry'} ${signed(c.microsPerRequest - against.microsPerRequest)} µs`;
    const other = c.otherMicrosPerRequest;
    const otherShare = other === undefined || against?.otherMicrosPerRequest === undefined ? '' : `, ${signed(other - against.otherMicrosPerRequest)}`;
    const shown = [total, other === undefined ? undefined : `other threads ${other.toFixed(1)}${otherShare}`].filter((part) => part !== undefined);
    const share = shown.length === 0 ? '' : ` (${shown.join('; ')})`;
    const note = c.mode === 'clickhouse' ? ", not ClickHouse's (its own process)" : '';
    return [`${c.name}: proxy CPU ÷ ${int(c.requests)} requests${note}`, `${c.microsPerRequest.toFixed(1)} µs/request${share}`];
  }).concat(server);
}

/**
 * Telemetry must cost under 5 % of the proxy's requests/s: each mode ÷ off
 * ≥ 0.95, as the median of the rounds' ratios. The control's ratio is
 * printed beside them, with no target: how far apart the same proxy measures.
 */
export function overheadChecks(rows: readonly ThroughputRow[]): { checks: Check[]; info: [string, string][] } {
  const off = rows.find((r) => r.name === TELEMETRY_TARGETS.off);
  if (off === undefined) return { checks: [], info: [] };
  const ratios = (r: ThroughputRow): string => r.rounds.map((rps, i) => (rps / off.rounds[i]!).toFixed(2)).join(' ');
  const checks: Check[] = [];
  const info: [string, string][] = [];
  for (const r of rows) {
    if (r === off) continue;
    const ratio = pairedRatio(r, off);
    const label = `${r.name} req/s ÷ telemetry off req/s (median of the rounds’ ratios: ${ratios(r)})`;
    if (r.name === CONTROL_TARGET) info.push([`${label}; the same build, the measurement's spread`, ratio.toFixed(2)]);
    else checks.push({ label, value: ratio.toFixed(2), target: '≥ 0.95', pass: ratio >= 0.95 });
  }
  return { checks, info };
}
