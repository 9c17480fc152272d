/**
 * A downspin proxy for the telemetry bench, alone in its process, with
 * telemetry off (no sink), into a TelemetryWriter over the memory store, or
 * over ClickHouse. Answers `stats` with the writer's figures.
 *
 * Usage (by the telemetry scenario): node telemetry-child.js <target> <off|memory|clickhouse> [clickhouseUrl]
 */
import { readFileSync } from 'node:fs';
import { MemoryBus } from '@downspin/bus';
import { ClickHouseTelemetryStore, MemoryTelemetryStore, TelemetryWriter, type TelemetryStore } from '@downspin/db';
import { startProxy } from '@downspin/proxy';
import { fillStore } from './bench-rows.js';
import { TELEMETRY_MODES, TelemetryChildSaysSchema, type TelemetryChildSays, type TelemetryMode } from './telemetry-messages.js';

function tell(message: TelemetryChildSays): void {
  process.send?.(TelemetryChildSaysSchema.parse(message));
}

/**
 * The main thread's CPU (user + system, µs), where Linux tells
 * (/proc/self/task/<pid>/stat, in USER_HZ = 100 ticks); the rest of the
 * process's CPU is its other threads': V8's workers (parallel scavenge,
 * concurrent marking and sweeping, optimising compiles) and libuv's pool.
 */
function mainThreadMicros(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const [target, mode, clickhouseUrl] = process.argv.slice(2) as [string, TelemetryMode, string | undefined];
  if (!TELEMETRY_MODES.includes(mode)) throw new Error(`mode must be one of ${TELEMETRY_MODES.join(', ')}`);
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  let store: TelemetryStore | undefined;
  let fill: { rows: number; cpuMicros: number } | undefined;
  if (mode === 'memory') {
    // Full, as after the proxy's first `capacity` requests: the rounds measure what each
    // request costs a running proxy, and the store's one-time growth is measured here.
    const memory = new MemoryTelemetryStore();
    const before = process.cpuUsage();
    await fillStore(memory, memory.capacity);
    const used = process.cpuUsage(before);
    fill = { rows: memory.capacity, cpuMicros: used.user + used.system };
    store = memory;
  }
  if (mode === 'clickhouse') {
    if (clickhouseUrl === undefined) throw new Error('clickhouse mode needs a URL');
    const clickhouse = new ClickHouseTelemetryStore({ url: clickhouseUrl, database: 'bench_proxy' });
    await clickhouse.start();
    store = clickhouse;
  }
  const writer = store === undefined ? undefined : await TelemetryWriter.open({ store });
  const proxy = await startProxy({ target, port: 0, bus: new MemoryBus(), loadShaping: async () => [], telemetry: writer });
  let windowStart = { cpu: process.cpuUsage(), main: mainThreadMicros(), requests: 0 };
  process.on('message', () => {
    void (async () => {
      // Requests wrk left in flight end and queue their rows first (the emitter hands each row straight to the writer), so the figures cover every request served.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const stats = writer === undefined ? undefined : await writer.flush();
      // The window ends after the flush: encoding and handing over its rows is part of what its requests cost.
      const cpu = process.cpuUsage(windowStart.cpu);
      const requests = proxy.stats().requestsTotal;
      const main = mainThreadMicros();
      const mainMicros = main === undefined || windowStart.main === undefined ? null : main - windowStart.main;
      const window = { cpuMicros: cpu.user + cpu.system, mainMicros, requests: requests - windowStart.requests };
      windowStart = { cpu: process.cpuUsage(), main, requests };
      // The proxy's tally covers its emitter and the writer behind it.
      tell({ type: 'stats', written: stats?.written ?? 0, dropped: proxy.stats().telemetry.dropped, requests, window });
    })();
  });
  tell({ type: 'ready', url: proxy.url, ...(fill === undefined ? {} : { fill }) });
}

main().catch((error: unknown) => {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
