import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from '../../processes.js';
import { prepareScaleOut, redisUrl } from '../../services.js';

/**
 * The two ways a team runs downspin, each started with the real CLI in
 * processes of their own, as a user would: `downspin start` (the embedded
 * default: PGlite in a worker thread, memory telemetry, in-process bus) and
 * scale-out (`downspin control` + `downspin proxy` over Redis and
 * PostgreSQL). `metricsUrl` is where the proxy's own process metrics are.
 */
export interface Deployment {
  kind: 'embedded' | 'scale-out';
  proxyUrl: string;
  controlUrl: string;
  adminKey: string;
  /** `/metrics` of the process the proxy runs in. */
  metricsUrl: string;
  /** Telemetry rows can be read back from the control API (scale-out: only with ClickHouse). */
  telemetryReadable: boolean;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../../../cli/bin/downspin.js', import.meta.url));
const START_TIMEOUT_MS = 180_000;

interface Started {
  /** Text the process printed until `until` matched. */
  banner: string;
  stop(): Promise<void>;
}

/** Runs one CLI command in its own process and waits for its banner. */
async function runCli(args: string[], env: NodeJS.ProcessEnv, until: RegExp, cleanup?: () => void): Promise<Started> {
  const prof = process.env.BENCH_DOWNSPIN_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_DOWNSPIN_PROF] : [];
  const child = spawn(process.execPath, [...prof, CLI, ...args, '--log-level', 'warn'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  track(child, cleanup);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`downspin ${args[0]} did not print its banner within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (until.test(text)) {
          clearTimeout(timer);
          resolve(text);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`downspin ${args[0]} exited with code ${code}`));
      });
    });
    child.stdout!.resume();
    return { banner, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function urlIn(banner: string, pattern: RegExp, what: string): string {
  const url = pattern.exec(banner)?.[1];
  if (url === undefined) throw new Error(`no ${what} URL in: ${banner}`);
  return url;
}

/** `downspin start` with a fresh data dir, in front of `upstreamUrl`. */
export async function startEmbedded(upstreamUrl: string): Promise<Deployment> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-bench-many-'));
  const adminKey = randomBytes(16).toString('hex');
  const started = await runCli(
    ['start', '--port', '0', '--control-port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--target', upstreamUrl],
    { ADMIN_API_KEY: adminKey },
    /control API/,
    () => void rm(dataDir, { recursive: true, force: true }),
  );
  const controlUrl = urlIn(started.banner, /dashboard\s+(http:\/\/\S+)/, 'dashboard');
  return {
    kind: 'embedded',
    proxyUrl: urlIn(started.banner, /proxy\s+(http:\/\/\S+)/, 'proxy'),
    controlUrl,
    adminKey,
    metricsUrl: `${controlUrl}/metrics`,
    telemetryReadable: true,
    stop: started.stop,
  };
}

/**
 * `downspin control` and one `downspin proxy --metrics-port`, over the real
 * Redis (a random prefix) and a fresh PostgreSQL database; or why not. With
 * `clickhouseUrl`, telemetry goes there and the control API can read it back.
 */
export async function startScaleOut(upstreamUrl: string, clickhouseUrl?: string): Promise<Deployment | { missing: string }> {
  const database = await prepareScaleOut();
  if ('missing' in database) return database;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-bench-scale-out-'));
  const adminKey = randomBytes(16).toString('hex');
  const env = {
    ADMIN_API_KEY: adminKey,
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `downspin-bench-${randomBytes(4).toString('hex')}:`,
    DATABASE_URL: database.databaseUrl,
    DOWNSPIN_DATA_DIR: dataDir,
    ...(clickhouseUrl === undefined ? {} : { CLICKHOUSE_URL: clickhouseUrl }),
  };
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const control = await runCli(['control', '--control-port', '0', '--host', '127.0.0.1'], env, /control API and dashboard on/);
    stops.push(control.stop);
    const proxy = await runCli(['proxy', '--port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--target', upstreamUrl], env, /metrics http/);
    stops.push(proxy.stop);
    return {
      kind: 'scale-out',
      proxyUrl: urlIn(proxy.banner, /listening on (http:\/\/\S+)/, 'proxy'),
      controlUrl: urlIn(control.banner, /dashboard on (http:\/\/[^\s;]+)/, 'control API'),
      adminKey,
      metricsUrl: urlIn(proxy.banner, /metrics (http:\/\/\S+)/, 'metrics'),
      telemetryReadable: clickhouseUrl !== undefined,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One Prometheus sample by exact metric name (no labels). */
export async function metric(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${metricsUrl} has no ${name}`);
  return Number(line.split(' ')[1]);
}

/** RSS the deployment's proxy process reports in its /metrics. */
export const reportedRssMiB = async (d: Deployment): Promise<number> => (await metric(d.metricsUrl, 'downspin_process_resident_memory_bytes')) / 1048576;

/**
 * RSS after `ms` of idleness: V8 keeps the young generation it grew during
 * start-up (or a load) until its memory reducer runs once allocation has
 * been quiet for a while; on this machine that was 20–40 s after start-up
 * (RSS 241 MiB at 8 s, 255 at 20 s, 183 at 40 s and after).
 */
export async function idleRssMiB(d: Deployment, ms = 45_000): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return reportedRssMiB(d);
}
