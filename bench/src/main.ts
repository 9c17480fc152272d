/**
 * `npm run bench`: throughput and overhead of downspin against baselines
 * measured in the same run, then the accuracy of latency and bandwidth
 * shaping. Prints figures with PASS/FAIL against the targets and exits 0
 * either way: it is a measurement, not a test. Progress goes to stderr, the
 * report to stdout.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { DEFAULT_BATCH_SIZE } from '@downspin/db';
import { SESSION_HEADER } from '@downspin/protocol';
import { DEFAULT_WEBSOCKET_LIMITS } from '@downspin/proxy';
import { pickLoadGenerator } from './load.js';
import { hasNginx, startNginx, type RunningNginx } from './nginx.js';
import { parseOptions, USAGE, type BenchOptions, type SectionId } from './options.js';
import { killAllNow, processCpuMicros, startChild, stopAll } from './processes.js';
import { bandwidthChecks, bodyEffectsReport, checksTable, latencyReport, throughputChecks, throughputTable, type Check } from './report.js';
import { measureBandwidthAccuracy } from './scenarios/bandwidth.js';
import { measureBodyEffects } from './scenarios/body-effects.js';
import { measureLatencyAccuracy } from './scenarios/latency.js';
import { manySessionsLegs, manySessionsReport, measureManySessions } from './scenarios/many-sessions.js';
import { measurePropagation, propagationReport } from './scenarios/propagation.js';
import { cookielessChecks, measureCookieless } from './scenarios/cookieless.js';
import { measureMemoryQueries, queryChecks } from './scenarios/memory-queries.js';
import { benchClickHouse, cpuInfo, measureTelemetryOverhead, measureWriterRate, overheadChecks, writerChecks } from './scenarios/telemetry.js';
import { measureThroughput, type Target, type ThroughputOptions } from './scenarios/throughput.js';
import { forwardChecks, forwardLines, measureForward } from './scenarios/forward.js';
import { measureWsFlood, wsFloodLines } from './scenarios/ws-flood.js';
import { measureWsIdle, wsIdleReport } from './scenarios/ws-idle.js';

const PROBE_PATH = '/health';
const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const progress = (line: string): void => void process.stderr.write(`${line}\n`);

function environment(generator: string): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  const wrk = generator === 'wrk' ? (spawnSync('wrk', ['-v']).stdout.toString().split(' [')[0] ?? 'wrk') : 'autocannon (wrk not found)';
  return [
    `downspin bench · ${new Date().toISOString()}`,
    `node ${process.version} · ${cpus.length} CPU(s) ${cpus[0]?.model.trim() ?? ''} · load average ${load} at start`,
    `load generator: ${wrk}`,
  ].join('\n');
}

/** Set on SIGINT/SIGTERM: sections not yet started are skipped. */
let interrupted = false;
/** The sections `--sections` asked for (all by default). */
let chosen: ReadonlySet<SectionId> = new Set();

/** Runs one section; a section that fails is reported as such and the others still run. */
async function section(id: SectionId, title: string, checks: Check[], body: () => Promise<void>): Promise<void> {
  if (interrupted || !chosen.has(id)) return;
  out();
  out(title);
  try {
    await body();
  } catch (error) {
    if (interrupted) {
      out('  interrupted');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    out(`  could not measure: ${message}`);
    checks.push({ label: title.replace(/^\d\.\s*/, '').split(' (')[0]!, value: 'error', target: '-', pass: false });
  }
}

async function run(options: BenchOptions): Promise<void> {
  chosen = options.sections;
  const generator = pickLoadGenerator();
  out(environment(generator));
  // Sections 1 and 4 drive their targets alike, so their figures compare.
  const load: ThroughputOptions = {
    generator,
    rounds: options.rounds,
    durationSec: options.durationSec,
    singleDurationSec: options.singleDurationSec,
    connections: options.connections,
    path: PROBE_PATH,
    headers: { [SESSION_HEADER]: 'bench' },
  };
  if (options.quick) out('quick run: fewer rounds and samples, figures are rougher');

  const checks: Check[] = [];
  let nginx: RunningNginx | undefined;
  try {
    progress('starting the upstream (demo app), downspin and http-proxy-3, each in its own process…');
    const upstream = await startChild('upstream');
    const downspin = await startChild('downspin', upstream.url);
    const httpProxy = await startChild('http-proxy', upstream.url);
    let nginxNote = '';
    if (hasNginx()) {
      try {
        nginx = await startNginx(new URL(upstream.url), PROBE_PATH);
      } catch (error) {
        nginxNote = `nginx left out: ${error instanceof Error ? error.message : String(error)}`;
      }
    } else nginxNote = 'nginx left out: not installed (apt-get install nginx)';

    await section(
      '1',
      `1. Throughput and overhead (GET ${PROBE_PATH}, keep-alive; ${options.connections} connections × ${options.durationSec} s ` +
        `in interleaved 1 s slices, then 1 connection × ${options.singleDurationSec} s; median of ${options.rounds} round(s))`,
      checks,
      async () => {
        if (nginxNote) out(`  ${nginxNote}`);
        if (generator === 'autocannon') out('  autocannon reports latency in whole milliseconds: install wrk for the p50 overhead figure');
        const targets: Target[] = [
          { name: 'direct', url: upstream.url },
          { name: 'downspin', url: downspin.url },
          { name: 'http-proxy-3', url: httpProxy.url },
          ...(nginx ? [{ name: 'nginx', url: nginx.url }] : []),
        ];
        const rows = await measureThroughput(targets, load, progress);
        out(throughputTable(rows));
        const { checks: own, info } = throughputChecks(rows);
        out(checksTable(own, info));
        checks.push(...own);
        const cookieless = cookielessChecks(await measureCookieless(upstream.url, load, options.quick ? 2 : 10, progress));
        for (const line of cookieless.lines) out(line);
        if (cookieless.checks.length > 0) out(checksTable(cookieless.checks));
        checks.push(...cookieless.checks);
      },
    );

    await section(
      '1b',
      `1b. Forward mode (https upstream with its own CA; CONNECT + TLS interception vs reverse-proxied, same proxy process; ` +
        `${options.connections} connections × ${options.durationSec} s, then 1 warm connection × ${options.singleDurationSec} s; median of ${options.rounds} round(s))`,
      checks,
      async () => {
        progress('measuring forward mode against reverse mode…');
        const result = await measureForward(options, progress);
        for (const line of forwardLines(result)) out(line);
        const own = forwardChecks(result);
        out(checksTable(own));
        checks.push(...own);
      },
    );

    await section(
      '2',
      `2. Latency accuracy (latency { ms: ${options.latencyMs} }, ${options.latencySamples} sequential requests, interleaved with direct ones)`,
      checks,
      async () => {
        progress('measuring latency accuracy…');
        const result = await measureLatencyAccuracy({
          upstreamUrl: upstream.url,
          downspin,
          latencyMs: options.latencyMs,
          samples: options.latencySamples,
          path: PROBE_PATH,
        });
        const report = latencyReport(result);
        for (const line of report.lines) out(line);
        out(checksTable(report.checks));
        checks.push(...report.checks);
      },
    );

    await section(
      '3',
      `3. Bandwidth accuracy (bandwidth { downKbps: ${options.bandwidthKbps}, upKbps: ${options.bandwidthKbps} }, ${options.transferMiB} MiB transfers)`,
      checks,
      async () => {
        progress('measuring bandwidth accuracy…');
        const result = await measureBandwidthAccuracy({ downspin, kbps: options.bandwidthKbps, mib: options.transferMiB });
        const own = bandwidthChecks(result);
        out(checksTable(own));
        checks.push(...own);
      },
    );

    await section(
      '3b',
      `3b. Body effects (connection set-up cost on fresh connections; where a stall pauses and a truncation cuts a 4 MiB body)`,
      checks,
      async () => {
        progress('measuring the body effects…');
        const result = await measureBodyEffects({ upstreamUrl: upstream.url, downspin, samples: options.latencySamples });
        const report = bodyEffectsReport(result);
        for (const line of report.lines) out(line);
        out(checksTable(report.checks));
        checks.push(...report.checks);
      },
    );

    await section(
      '4',
      `4. Telemetry (writer → ClickHouse rows/s for ${options.quick ? 3 : 10} s; proxy req/s with telemetry off, writer → memory store, writer → ClickHouse, telemetry off again as a control; ` +
        `${options.connections} connections × ${options.durationSec} s in interleaved 1 s slices, median of ${options.rounds} round(s); ` +
        `the memory store's analytics queries over 100,000 rows and how long each holds the event loop)`,
      checks,
      async () => {
        progress('measuring telemetry: starting ClickHouse…');
        const clickhouse = await benchClickHouse();
        try {
          if ('missing' in clickhouse) out(`  ClickHouse left out (its checks are skipped): ${clickhouse.missing}`);
          else {
            progress('measuring the writer into ClickHouse…');
            const rate = await measureWriterRate(clickhouse.server, options.quick ? 3 : 10, DEFAULT_BATCH_SIZE);
            const own = writerChecks(rate);
            out(checksTable(own));
            checks.push(...own);
          }
          progress('measuring proxy throughput with telemetry off / memory / ClickHouse…');
          const server = 'server' in clickhouse ? clickhouse.server : undefined;
          const serverCpu = (): number | undefined => (server?.pid === undefined ? undefined : processCpuMicros(server.pid));
          const overhead = await measureTelemetryOverhead(upstream.url, server?.url, load, progress, serverCpu);
          out(throughputTable(overhead.rows));
          for (const d of overhead.delivery) out(`  ${d.name}: ${d.requests.toLocaleString('en-US')} requests served, ${d.written.toLocaleString('en-US')} rows written, ${d.dropped} dropped`);
          const { checks: own, info } = overheadChecks(overhead.rows);
          out(checksTable(own, [...info, ...cpuInfo(overhead)]));
          checks.push(...own);
          progress('measuring memory-store queries over a full store…');
          const queries = queryChecks(await measureMemoryQueries());
          out(checksTable(queries));
          checks.push(...queries);
        } finally {
          if ('server' in clickhouse) await clickhouse.server.stop();
        }
      },
    );

    const propagationCommands = options.quick ? 200 : 1000;
    await section(
      '5',
      `5. Command propagation (control API + 2 proxies, each in its own process, over Redis and PostgreSQL; ` +
        `${propagationCommands.toLocaleString('en-US')} shaping calls, one at a time)`,
      checks,
      async () => {
        progress('measuring command propagation: control API and 2 proxies over Redis and PostgreSQL…');
        const result = await measurePropagation(propagationCommands, upstream.url);
        if ('missing' in result) {
          out(`  left out (its check is skipped): ${result.missing}`);
          return;
        }
        const report = propagationReport(result);
        for (const line of report.lines) out(line);
        out(checksTable(report.checks));
        checks.push(...report.checks);
      },
    );

    await section(
      '6',
      `6. WebSocket memory bound (4 sockets of one session flood the proxy for ${options.wsFloodSec} s under latency 60,000 ms; proxy RSS)`,
      checks,
      async () => {
        progress(`flooding WebSockets for ${options.wsFloodSec} s…`);
        const result = await measureWsFlood({ downspin, durationSec: options.wsFloodSec, latencyMs: 60_000, sockets: 4 });
        for (const line of wsFloodLines(result, DEFAULT_WEBSOCKET_LIMITS)) out(line);
      },
    );

    const legs = manySessionsLegs(options.quick);
    await section(
      '7',
      `7. Many sessions (each session latency 100 + (i mod 1,000) ms, open-loop load spread over them, beside an unshaped probe session; ` +
        `legs: ${legs.map((l) => `${l.deployment} ${l.sessions.toLocaleString('en-US')} @ ${l.rate.toLocaleString('en-US')} req/s × ${l.durationSec} s`).join(', ')})`,
      checks,
      async () => {
        // Scale-out writes its telemetry to ClickHouse, as deployed, so its proxy-side lateness can be read.
        const clickhouse = legs.some((l) => l.deployment === 'scale-out') ? await benchClickHouse() : undefined;
        if (clickhouse !== undefined && 'missing' in clickhouse) out(`  no ClickHouse (scale-out lateness is client-side only): ${clickhouse.missing}`);
        const server = clickhouse !== undefined && 'server' in clickhouse ? clickhouse.server : undefined;
        const result = await measureManySessions(
          { upstreamUrl: upstream.url, legs, probeSamples: options.quick ? 50 : 200, idleSec: options.quick ? 20 : 45, moreBatches: options.quick ? 0 : 2, clickhouseUrl: server?.url },
          progress,
        ).finally(() => server?.stop());
        const report = manySessionsReport(result);
        for (const line of report.lines) out(line);
        out(checksTable(report.checks));
        checks.push(...report.checks);
      },
    );

    const idle = { sockets: options.wsIdleSockets, sessions: 100, shapedEvery: 4, latencyMs: 50, batch: 200, settleMs: options.quick ? 2000 : 4000 };
    await section(
      '8',
      `8. Idle WebSockets (${idle.sockets.toLocaleString('en-US')} sockets through one downspin process to a quiet upstream, each in its own process; ` +
        `${idle.sessions} sessions, every ${idle.shapedEvery}th shaped with latency ${idle.latencyMs} ms; proxy RSS)`,
      checks,
      async () => {
        const report = wsIdleReport(await measureWsIdle(idle, progress));
        for (const line of report.lines) out(line);
        out(checksTable(report.checks, report.info));
        checks.push(...report.checks);
      },
    );
  } finally {
    await nginx?.stop();
    await stopAll();
  }

  out();
  out(`${checks.filter((c) => c.pass).length} of ${checks.length} targets met (exit code 0 either way: this is a measurement).`);
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    progress(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    out(USAGE);
    return;
  }
  // No child (nginx above all) may outlive the bench, however it ends.
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      progress(`${signal}: stopping child processes…`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  await run(options);
}

main().catch((error: unknown) => {
  progress(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
  killAllNow();
});
