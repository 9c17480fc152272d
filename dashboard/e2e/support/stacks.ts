import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDownspin, spawnDownspin, startClickHouse, startDownspin, startTestUpstream } from '@downspin/testing';
import pg from 'pg';

/** A running downspin as the dashboard tests drive it. */
export interface Stack {
  name: string;
  /** Where the dashboard and the API are. */
  controlUrl: string;
  adminKey: string;
  /** Every proxy instance (one embedded, two scaled out). */
  proxyUrls: string[];
  /** Kills the control API (SIGKILL: a crash, no goodbye) and returns a function that starts it again on the same port and data dir. */
  killControl(): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

/** Fails early, in words, when the control API does not serve the dashboard (the CLI must pass `dashboardDir`). */
async function expectDashboard(controlUrl: string): Promise<void> {
  const res = await fetch(controlUrl, { headers: { accept: 'text/html' } });
  const type = res.headers.get('content-type') ?? '';
  if (res.status !== 200 || !type.startsWith('text/html')) {
    throw new Error(
      `${controlUrl}/ answered ${res.status} ${type}, not the dashboard: build it (npm run build -w @downspin/dashboard) and ` +
        'pass dashboardDir (from @downspin/dashboard) to createControlApi in the CLI',
    );
  }
}

const ADMIN_KEY = `dashboard-e2e-${randomBytes(12).toString('hex')}`;
const portOf = (url: string) => new URL(url).port;

/** `downspin start --port 0 --control-port 0 --data-dir <tmp>`: the embedded default (bundled demo app, PGlite, memory telemetry). */
export async function startEmbedded(): Promise<Stack> {
  const downspin = await startDownspin({ watchdog: true });
  try {
    await expectDashboard(downspin.controlUrl);
  } catch (error) {
    await downspin.dispose();
    throw error;
  }
  return {
    name: 'embedded',
    controlUrl: downspin.controlUrl,
    adminKey: downspin.adminKey,
    proxyUrls: [downspin.proxyUrl],
    async killControl() {
      // One process: the control API goes down with everything else.
      await downspin.stop('SIGKILL');
      return () => downspin.restart();
    },
    stop: () => downspin.dispose(),
  };
}

const POSTGRES_ADMIN_URL = process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The scale-out stack as separate processes: `downspin migrate`, `downspin
 * control`, two `downspin proxy` (Redis bus, a fresh PostgreSQL database made
 * here and dropped after, a private ClickHouse) in front of a test upstream.
 */
export async function startScaleOut(): Promise<Stack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  try {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-dashboard-scale-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = `downspin_dashboard_e2e_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    cleanups.push(async () => {
      const dropper = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await dropper.end();
    });
    const databaseUrl = new URL(POSTGRES_ADMIN_URL);
    databaseUrl.pathname = `/${database}`;

    const clickhouse = await startClickHouse();
    cleanups.push(() => clickhouse.stop());
    const upstream = await startTestUpstream();
    cleanups.push(() => upstream.stop());

    // Its own channel prefix, so other stacks or test runs on the same Redis never cross.
    const REDIS_PREFIX = `${database}:`;
    const env = { ADMIN_API_KEY: ADMIN_KEY, REDIS_URL, REDIS_PREFIX, DATABASE_URL: databaseUrl.toString(), CLICKHOUSE_URL: clickhouse.url };
    const migrated = await runDownspin(['migrate'], { env });
    if (migrated.code !== 0) throw new Error(`downspin migrate failed: ${migrated.output}`);

    const controlDir = path.join(dataDir, 'control');
    const launchControl = (port: string) =>
      spawnDownspin(['control', '--control-port', port, '--data-dir', controlDir], {
        env,
        watchdog: true,
        ready: (output) => /dashboard on (http:\/\/\S+?);/.exec(output)?.[1],
      });
    const firstControl = await launchControl('0');
    let control = firstControl.process;
    const controlUrl = firstControl.ready;
    cleanups.push(() => control.stop());

    await expectDashboard(controlUrl);
    const proxyUrls: string[] = [];
    for (const name of ['a', 'b']) {
      const started = await spawnDownspin(['proxy', '--target', upstream.url, '--port', '0', '--data-dir', path.join(dataDir, `proxy-${name}`)], {
        env,
        watchdog: true,
        ready: (output) => /listening on (http:\/\/\S+)/.exec(output)?.[1],
      });
      proxyUrls.push(started.ready);
      cleanups.push(() => started.process.stop());
    }

    return {
      name: 'scale-out',
      controlUrl,
      adminKey: ADMIN_KEY,
      proxyUrls,
      async killControl() {
        await control.stop('SIGKILL');
        return async () => {
          ({ process: control } = await launchControl(portOf(controlUrl)));
        };
      },
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
