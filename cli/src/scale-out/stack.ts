import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedisBus, type RedisBus } from '@downspin/bus';
import { createControlApi, startControlServer, type ControlApi, type ControlApiDeps, type RunningControlServer } from '@downspin/control-api';
import { createPostgresClient, migrate, type SessionStore } from '@downspin/db';
import { startProxy, type RunningProxy } from '@downspin/proxy';
import { request, startTcpRelay, startTestUpstream, type TcpRelay, type TestUpstream, type TimedResponse } from '@downspin/testing';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { openSessionStore, openTelemetry, type Telemetry } from '../services.js';

/**
 * A scale-out deployment inside one test process, wired like `downspin
 * control` and `downspin proxy` (cli/src/commands/): a migrated PostgreSQL
 * database of its own, one control API and N proxies, each with its own
 * RedisBus, session store and telemetry. Every bus reaches the real Redis
 * through its own TCP relay, so a test can cut or freeze one component's link.
 */

export const ADMIN_KEY = 'scale-out-admin-key-0123456789abcdef';
export const SESSION_HEADER = 'x-downspin-session';

/** `SCALE_OUT_LOG_LEVEL=debug npx vitest run cli/src/scale-out` shows what the pieces log. */
const logger: Logger = pino({ level: process.env.SCALE_OUT_LOG_LEVEL ?? 'silent' });

export interface ProxyNode {
  readonly proxy: RunningProxy;
  readonly bus: RedisBus;
  readonly store: SessionStore;
  /** This proxy's link to Redis. */
  readonly relay: TcpRelay;
  /** One timed GET through this proxy as `session`. */
  get(session: string, urlPath?: string): Promise<TimedResponse>;
  /** Shaping version this proxy holds for each session (0 when it holds none). */
  versions(sessions: readonly string[]): Record<string, number>;
  close(): Promise<void>;
}

export interface ControlNode {
  readonly app: ControlApi;
  readonly server: RunningControlServer;
  readonly bus: RedisBus;
  readonly store: SessionStore;
  readonly relay: TcpRelay;
  readonly url: string;
}

export interface ScaleOutStack {
  readonly databaseUrl: string;
  readonly upstream: TestUpstream;
  readonly control: ControlNode;
  /** Proxies started so far and not closed, in start order. */
  readonly proxies: ProxyNode[];
  /** Starts one more proxy against the same database and Redis (a restart is close + this). */
  addProxy(proxyId: string): Promise<ProxyNode>;
  /** An admin API call with the key. */
  admin(method: string, urlPath: string, body?: unknown): Promise<TimedResponse>;
  /** The stored shaping version of each session (0 when never shaped). */
  storedVersions(sessions: readonly string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Part of the database name: `downspin_test_<runId>_scale_<label>`. */
  label: string;
  proxyIds: readonly string[];
  /** Overrides of the control API's defaults (the CLI uses the defaults). */
  control?: Pick<ControlApiDeps, 'ackTimeoutMs' | 'presenceTtlMs'>;
  /** Runs on the migrated store before any proxy starts (shaping the proxies then load at start). */
  seed?: (store: SessionStore) => Promise<void>;
}

/** A database of this run (the global teardown drops every `downspin_test_<runId>…`), migrated as `downspin migrate` does. */
async function createMigratedDatabase(label: string): Promise<string> {
  const name = `downspin_test_${inject('runId')}_scale_${label}`;
  const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${name}`;
  const client = createPostgresClient({ url: url.toString() });
  try {
    await migrate(client);
  } finally {
    await client.close();
  }
  return url.toString();
}

export async function startScaleOutStack(options: StackOptions): Promise<ScaleOutStack> {
  if (!/^[a-z0-9_]+$/.test(options.label)) throw new Error(`label must be [a-z0-9_]: ${options.label}`);
  const databaseUrl = await createMigratedDatabase(options.label);
  // Every channel under this run's prefix plus a part of this stack's own.
  const prefix = `${inject('redisPrefix')}scale-${randomBytes(4).toString('hex')}:`;
  const redis = new URL(inject('redisUrl'));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-scale-out-'));
  const closers: (() => Promise<unknown>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };

  try {
    const relayTo = async (): Promise<TcpRelay> => {
      const relay = await startTcpRelay({ host: redis.hostname, port: Number(redis.port || 6379) });
      closers.push(() => relay.close());
      return relay;
    };
    const busThrough = (relay: TcpRelay, name: string): Promise<RedisBus> =>
      createRedisBus({ url: relay.url, prefix, connectionName: `${prefix}${name}`, logger: logger.child({ part: `${name}-bus` }) });

    const upstream = await startTestUpstream();
    closers.push(() => upstream.stop());

    // downspin control
    const controlRelay = await relayTo();
    const controlBus = await busThrough(controlRelay, 'control');
    closers.push(() => controlBus.close());
    const controlStore = await openSessionStore(databaseUrl, dataDir, logger);
    closers.push(() => controlStore.close());
    await options.seed?.(controlStore);
    const app = await createControlApi({ store: controlStore, bus: controlBus, adminKey: ADMIN_KEY, logger, ...options.control });
    closers.push(() => app.close());
    const server = await startControlServer({ app, port: 0, host: '127.0.0.1' });
    closers.push(() => server.close());
    const control: ControlNode = { app, server, bus: controlBus, store: controlStore, relay: controlRelay, url: server.url };

    const proxies: ProxyNode[] = [];
    const addProxy = async (proxyId: string): Promise<ProxyNode> => {
      // downspin proxy: bus, store, telemetry (memory: no CLICKHOUSE_URL), proxy; closed in reverse.
      const own: (() => Promise<unknown>)[] = [];
      const closeOwn = async (): Promise<void> => {
        for (const close of own.splice(0).reverse()) await close().catch(() => undefined);
      };
      try {
        const relay = await startTcpRelay({ host: redis.hostname, port: Number(redis.port || 6379) });
        own.push(() => relay.close());
        const bus = await busThrough(relay, proxyId);
        own.push(() => bus.close());
        const store = await openSessionStore(databaseUrl, dataDir, logger);
        own.push(() => store.close());
        const telemetry: Telemetry = await openTelemetry(undefined, { dataDir, retentionDays: 90, logger });
        own.push(() => telemetry.close());
        const proxy = await startProxy({
          target: upstream.url,
          port: 0,
          host: '127.0.0.1',
          proxyId,
          bus,
          loadShaping: () => store.loadShaping(),
          telemetry: telemetry.writer,
          logger: logger.child({ part: proxyId }),
        });
        own.push(() => proxy.close());
        const node: ProxyNode = {
          proxy,
          bus,
          store,
          relay,
          get: (session, urlPath = '/api/ping') => request(`${proxy.url}${urlPath}`, { headers: { [SESSION_HEADER]: session } }),
          versions: (sessions) => Object.fromEntries(sessions.map((id) => [id, proxy.sessions.get(id)?.version ?? 0])),
          async close() {
            proxies.splice(proxies.indexOf(node), 1);
            await closeOwn();
          },
        };
        proxies.push(node);
        closers.push(() => (proxies.includes(node) ? node.close() : Promise.resolve()));
        return node;
      } catch (error) {
        await closeOwn();
        throw error;
      }
    };
    for (const id of options.proxyIds) await addProxy(id);

    return {
      databaseUrl,
      upstream,
      control,
      proxies,
      addProxy,
      admin: (method, urlPath, body) =>
        request(`${server.url}${urlPath}`, {
          method,
          headers: { 'x-api-key': ADMIN_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      async storedVersions(sessions) {
        const entries = await Promise.all(sessions.map(async (id) => [id, (await controlStore.getShaping(id))?.version ?? 0] as const));
        return Object.fromEntries(entries);
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
