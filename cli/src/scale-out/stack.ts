import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Bus } from '@downspin/bus';
import type { RunningControlServer } from '@downspin/control-api';
import { createPostgresClient, migrate, type SessionStore } from '@downspin/db';
import type { RunningProxy } from '@downspin/proxy';
import { request, startTcpRelay, startTestUpstream, type TcpRelay, type TestUpstream, type TimedResponse } from '@downspin/testing';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { PROXY_SETTINGS, runControl, runProxy } from '../assemble.js';
import { readSettings, type SettingName } from '../config.js';
import { openParts, openSessionStore, type Parts } from '../services.js';

/**
 * A scale-out deployment inside one test process, assembled by the code the
 * commands run (`openParts` + `runControl` / `runProxy`, configured through
 * `readSettings` from the environment a user would set): a migrated
 * PostgreSQL database of its own, one `downspin control` and N `downspin
 * proxy`, each with its own RedisBus, session store and telemetry. Every bus
 * reaches the real Redis through its own TCP relay, so a test can cut or
 * freeze one component's link.
 */

export const ADMIN_KEY = 'scale-out-admin-key-0123456789abcdef';
export const SESSION_HEADER = 'x-downspin-session';

const CONTROL_SETTINGS = ['controlPort', 'host', 'adminKey', 'redisUrl', 'redisPrefix', 'databaseUrl', 'clickhouseUrl', 'retentionDays'] as const satisfies readonly SettingName[];
const PROXY_COMMAND_SETTINGS = ['target', 'port', 'host', 'redisUrl', 'redisPrefix', 'databaseUrl', 'clickhouseUrl', 'retentionDays', ...PROXY_SETTINGS] as const satisfies readonly SettingName[];

/** `SCALE_OUT_LOG_LEVEL=debug npx vitest run cli/src/scale-out` shows what the pieces log. */
const logger: Logger = pino({ level: process.env.SCALE_OUT_LOG_LEVEL ?? 'silent' });

export interface ProxyNode {
  readonly proxy: RunningProxy;
  readonly id: string;
  readonly bus: Bus;
  /** This proxy's link to Redis. */
  readonly relay: TcpRelay;
  /** One timed GET through this proxy as `session`. */
  get(session: string, urlPath?: string): Promise<TimedResponse>;
  /** Shaping version this proxy holds for each session (0 when it holds none). */
  versions(sessions: readonly string[]): Record<string, number>;
  close(): Promise<void>;
}

export interface ControlNode {
  readonly server: RunningControlServer;
  readonly bus: Bus;
  readonly relay: TcpRelay;
  readonly url: string;
}

export interface ScaleOutStack {
  readonly databaseUrl: string;
  readonly upstream: TestUpstream;
  readonly control: ControlNode;
  /** The test's own connection to the session store (reads versions, seeds). */
  readonly store: SessionStore;
  /** Proxies started so far and not closed, in start order. */
  readonly proxies: ProxyNode[];
  /** Starts one more proxy against the same database and Redis (a restart is close + this). */
  addProxy(): Promise<ProxyNode>;
  /** An admin API call with the key. */
  admin(method: string, urlPath: string, body?: unknown): Promise<TimedResponse>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Part of the database name: `downspin_test_<runId>_scale_<label>`. */
  label: string;
  proxies: number;
  /** Runs on the migrated store before anything starts (shaping the proxies then load at start). */
  seed?: (store: SessionStore) => Promise<void>;
}

/** Closes what `openParts` and `runControl` / `runProxy` registered, in reverse, as the commands do on SIGTERM. */
async function closeParts(parts: Parts): Promise<void> {
  for (const close of parts.closers.splice(0).reverse()) await close().catch(() => undefined);
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
  const redis = new URL(inject('redisUrl'));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-scale-out-'));
  const closers: (() => Promise<unknown>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  // Every channel under this run's prefix plus a part of this stack's own (REDIS_PREFIX allows 64 characters).
  const redisPrefix = `${inject('redisPrefix')}so-${randomBytes(3).toString('hex')}:`;
  /** What an operator would export for `downspin control` / `downspin proxy`, with this relay as REDIS_URL. */
  const environment = (relay: TcpRelay): NodeJS.ProcessEnv => ({
    REDIS_URL: relay.url,
    REDIS_PREFIX: redisPrefix,
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEY: ADMIN_KEY,
    HOST: '127.0.0.1',
    PROXY_PORT: '0',
    CONTROL_PORT: '0',
    TARGET_URL: upstream.url,
  });
  const relayToRedis = (): Promise<TcpRelay> => startTcpRelay({ host: redis.hostname, port: Number(redis.port || 6379) });

  const upstream = await startTestUpstream();
  closers.push(() => upstream.stop());
  try {
    const store = await openSessionStore(databaseUrl, dataDir, logger);
    closers.push(() => store.close());
    await options.seed?.(store);

    // downspin control
    const controlRelay = await relayToRedis();
    closers.push(() => controlRelay.close());
    const controlSettings = readSettings(CONTROL_SETTINGS, {}, environment(controlRelay));
    const controlParts = await openParts(controlSettings, dataDir, logger.child({ part: 'control' }));
    closers.push(() => closeParts(controlParts));
    const server = await runControl(controlParts, { port: controlSettings.controlPort, host: controlSettings.host, adminKey: ADMIN_KEY });
    const control: ControlNode = { server, bus: controlParts.bus, relay: controlRelay, url: server.url };

    const proxies: ProxyNode[] = [];
    let started = 0;
    // downspin proxy
    const addProxy = async (): Promise<ProxyNode> => {
      const relay = await relayToRedis();
      const settings = readSettings(PROXY_COMMAND_SETTINGS, {}, environment(relay));
      let parts: Parts | undefined;
      try {
        parts = await openParts(settings, dataDir, logger.child({ part: `proxy-${++started}` }));
        const proxy = await runProxy(parts, { ...settings, target: upstream.url, dataDir });
        const own = parts;
        const node: ProxyNode = {
          proxy,
          id: proxy.proxyId,
          bus: own.bus,
          relay,
          get: (session, urlPath = '/api/ping') => request(`${proxy.url}${urlPath}`, { headers: { [SESSION_HEADER]: session } }),
          versions: (sessions) => Object.fromEntries(sessions.map((id) => [id, proxy.sessions.versionOf(id)])),
          async close() {
            const at = proxies.indexOf(node);
            if (at >= 0) proxies.splice(at, 1);
            await closeParts(own);
            await relay.close();
          },
        };
        proxies.push(node);
        closers.push(() => node.close());
        return node;
      } catch (error) {
        if (parts) await closeParts(parts);
        await relay.close();
        throw error;
      }
    };
    for (let i = 0; i < options.proxies; i++) await addProxy();

    return {
      databaseUrl,
      upstream,
      control,
      store,
      proxies,
      addProxy,
      admin: (method, urlPath, body) =>
        request(`${server.url}${urlPath}`, {
          method,
          headers: { 'x-api-key': ADMIN_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
