import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SESSION_HEADER } from '@downspin/protocol';
import { singleConnection, timedRequest } from '../http-client.js';
import type { Check } from '../report.js';
import { track } from '../processes.js';
import { percentilesMs } from '../stats.js';

/**
 * "Many sessions" (#16): a QA team's load on the embedded default. A
 * `downspin start` child process (bundled stores: PGlite, memory telemetry,
 * in-process bus); `sessions` sessions each shaped with its own latency
 * (100 + i ms) share `rate` req/s; an unshaped probe session runs
 * sequential requests beside them. The proxy's own lateness is read from
 * its telemetry rows (total − upstream − injected), its event-loop delay
 * and RSS from /metrics (same process: proxy, control API and stores).
 */
export interface ManySessionsOptions {
  upstreamUrl: string;
  sessions: number;
  /** Requests per second over all sessions. */
  rate: number;
  durationSec: number;
  /** Sequential requests of the probe session while idle (and as many as fit while loaded). */
  probeSamples: number;
}

export interface ManySessionsResult {
  sessions: number;
  rate: number;
  durationSec: number;
  sent: number;
  answered: number;
  failed: number;
  /** Proxy-side lateness of the shaped requests, from telemetry rows. */
  lateness: { p50: number; p99: number; max: number; rows: number };
  probeIdle: { p50: number; p99: number; max: number };
  probeLoaded: { p50: number; p99: number; max: number };
  /** Event-loop delay p99 of the downspin process during the load (prom-client, 10 ms sampling). */
  eventLoopP99Ms: number;
  rssIdleMiB: number;
  rssAfterMiB: number;
}

const CLI = fileURLToPath(new URL('../../../cli/bin/downspin.js', import.meta.url));
const PROBE_PATH = '/health';

interface Embedded {
  proxyUrl: string;
  controlUrl: string;
  adminKey: string;
  stop(): Promise<void>;
}

/** Starts `downspin start` in its own process and reads its URLs from the banner. */
async function startEmbedded(upstreamUrl: string): Promise<Embedded> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-bench-many-'));
  const adminKey = randomBytes(16).toString('hex');
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_DOWNSPIN_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_DOWNSPIN_PROF] : []), CLI, 'start', '--port', '0', '--control-port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--target', upstreamUrl, '--log-level', 'warn'],
    { env: { ...process.env, ADMIN_API_KEY: adminKey }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  track(child, () => void rm(dataDir, { recursive: true, force: true }));
  const banner = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('downspin start did not print its banner within 180 s')), 180_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (/control API/.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once('exit', (code) => reject(new Error(`downspin start exited with code ${code}`)));
  });
  child.stdout!.resume();
  const proxyUrl = /proxy\s+(http:\/\/\S+)/.exec(banner)?.[1];
  const controlUrl = /dashboard\s+(http:\/\/\S+)/.exec(banner)?.[1];
  if (!proxyUrl || !controlUrl) throw new Error(`no URLs in the banner of downspin start: ${banner}`);
  return {
    proxyUrl,
    controlUrl,
    adminKey,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One Prometheus sample by exact metric name (no labels). */
async function metric(controlUrl: string, name: string): Promise<number> {
  const res = await fetch(`${controlUrl}/metrics`);
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`/metrics has no ${name}`);
  return Number(line.split(' ')[1]);
}

const rssMiB = async (controlUrl: string): Promise<number> => (await metric(controlUrl, 'downspin_process_resident_memory_bytes')) / 1048576;

/** Sequential requests of one unshaped session until `until()` is true or `samples` are taken. */
async function probe(proxyUrl: string, samples: number, until: () => boolean = () => false): Promise<number[]> {
  const agent = singleConnection();
  const headers = { [SESSION_HEADER]: `probe-${randomBytes(4).toString('hex')}` };
  const times: number[] = [];
  try {
    while (times.length < samples && !until()) times.push((await timedRequest(`${proxyUrl}${PROBE_PATH}`, { agent, headers })).ms);
  } finally {
    agent.destroy();
  }
  return times;
}

async function shapeAll(e: Embedded, ids: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const i = next++;
      const res = await fetch(`${e.controlUrl}/admin/sessions/${ids[i]}/downspin`, {
        method: 'POST',
        headers: { 'x-api-key': e.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ latency_ms: 100 + i }),
      });
      if (!res.ok) throw new Error(`shaping ${ids[i]}: HTTP ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Open-loop load: `rate` req/s spread over the sessions in turn, whatever the answers take. */
async function load(proxyUrl: string, ids: readonly string[], rate: number, durationSec: number): Promise<{ sent: number; answered: number; failed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const url = `${proxyUrl}${PROBE_PATH}`;
  const tickMs = 10;
  const perTick = rate / (1000 / tickMs);
  const counts = { sent: 0, answered: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let owed = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (performance.now() - started >= durationSec * 1000) {
        clearInterval(timer);
        return resolve();
      }
      // Catch up on ticks a busy bench process missed, so the rate holds.
      owed = rate * ((performance.now() - started) / 1000) - counts.sent;
      for (let n = 0; n < Math.min(owed, perTick * 10); n++) {
        const id = ids[counts.sent % ids.length]!;
        counts.sent++;
        const request: Promise<void> = timedRequest(url, { agent, headers: { [SESSION_HEADER]: id } }).then(
          (r) => void (r.status === 200 ? counts.answered++ : counts.failed++),
          () => void counts.failed++,
        );
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
    }, tickMs);
  });
  await Promise.all(inFlight);
  agent.destroy();
  return counts;
}

interface LatenessRow {
  ts: number;
  sessionHash: string;
  totalMs: number;
  upstreamMs: number;
  injectedMs: number;
}

async function telemetryRows(e: Embedded): Promise<LatenessRow[]> {
  const res = await fetch(`${e.controlUrl}/admin/analytics/export.json?hours=1`, { headers: { 'x-api-key': e.adminKey } });
  if (!res.ok) throw new Error(`telemetry export: HTTP ${res.status}`);
  return (await res.json()) as LatenessRow[];
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureManySessions(options: ManySessionsOptions, progress: (line: string) => void): Promise<ManySessionsResult> {
  const e = await startEmbedded(options.upstreamUrl);
  try {
    await settle(3000);
    const rssIdleMiB = await rssMiB(e.controlUrl);
    const ids = Array.from({ length: options.sessions }, (_, i) => `many-${i}-${randomBytes(3).toString('hex')}`);
    progress(`many sessions: shaping ${options.sessions} sessions (latency 100 + i ms)…`);
    await shapeAll(e, ids);
    await probe(e.proxyUrl, 10); // warm-up: connection, JIT
    const probeIdle = percentilesMs(await probe(e.proxyUrl, options.probeSamples));
    await metric(e.controlUrl, 'downspin_nodejs_eventloop_lag_p99_seconds'); // reading resets the histogram
    progress(`many sessions: ${options.rate} req/s for ${options.durationSec} s…`);
    const loadStarted = Date.now();
    let loading = true;
    const loaded = probe(e.proxyUrl, Number.MAX_SAFE_INTEGER, () => !loading);
    const counts = await load(e.proxyUrl, ids, options.rate, options.durationSec);
    loading = false;
    const probeLoaded = percentilesMs(await loaded);
    const eventLoopP99Ms = (await metric(e.controlUrl, 'downspin_nodejs_eventloop_lag_p99_seconds')) * 1000;
    await settle(3000); // telemetry rows are written in batches
    const rows = (await telemetryRows(e)).filter((r) => r.ts >= loadStarted && r.injectedMs > 0);
    const lateness = percentilesMs(rows.map((r) => Math.max(0, r.totalMs - r.upstreamMs - r.injectedMs)));
    await settle(5000);
    const rssAfterMiB = await rssMiB(e.controlUrl);
    return {
      sessions: options.sessions,
      rate: options.rate,
      durationSec: options.durationSec,
      ...counts,
      lateness: { ...lateness, rows: rows.length },
      probeIdle,
      probeLoaded,
      eventLoopP99Ms,
      rssIdleMiB,
      rssAfterMiB,
    };
  } finally {
    await e.stop();
  }
}

const f = (n: number): string => n.toFixed(1);

/** The section's lines and its checks (targets from #16). */
export function manySessionsReport(r: ManySessionsResult): { lines: string[]; checks: Check[] } {
  const probeAbove = r.probeLoaded.p99 - r.probeIdle.p99;
  return {
    lines: [
      `  load: ${r.sent.toLocaleString('en-US')} requests sent, ${r.answered.toLocaleString('en-US')} answered 200, ${r.failed} failed; ${r.lateness.rows.toLocaleString('en-US')} telemetry rows of shaped requests`,
      `  proxy-side lateness (total − upstream − injected): p50 ${f(r.lateness.p50)} ms, p99 ${f(r.lateness.p99)} ms, max ${f(r.lateness.max)} ms`,
      `  unshaped probe: idle p99 ${f(r.probeIdle.p99)} ms (max ${f(r.probeIdle.max)}), under load p99 ${f(r.probeLoaded.p99)} ms (max ${f(r.probeLoaded.max)})`,
      `  event-loop delay p99 of the downspin process under load: ${f(r.eventLoopP99Ms)} ms`,
      `  RSS of downspin start: idle after start-up ${f(r.rssIdleMiB)} MiB, after this section ${f(r.rssAfterMiB)} MiB`,
    ],
    checks: [
      { label: 'many sessions: lateness p99', value: `${f(r.lateness.p99)} ms`, target: '< 5 ms', pass: r.lateness.rows > 0 && r.lateness.p99 < 5 },
      { label: 'many sessions: probe p99 above idle', value: `${f(probeAbove)} ms`, target: '< 5 ms', pass: probeAbove < 5 },
      { label: 'idle RSS of downspin start', value: `${f(r.rssIdleMiB)} MiB`, target: '< 200 MiB', pass: r.rssIdleMiB < 200 },
    ],
  };
}
