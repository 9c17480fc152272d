import path from 'node:path';
import { createRedisBus, MemoryBus, type Bus } from '@downspin/bus';
import {
  ClickHouseTelemetryStore,
  createPgliteWorkerStore,
  createPostgresStore,
  MemoryTelemetryStore,
  TelemetryWriter,
  type SessionStore,
  type TelemetryStore,
} from '@downspin/db';
import type { Logger } from 'pino';
import type { Settings } from './config.js';

/**
 * The pieces every command is built from, one code path per concern: the
 * embedded default (in-process bus, PGlite, memory telemetry) or the
 * scale-out adapters when their URL is set.
 */

export async function openBus(redisUrl: string | undefined, prefix: string, logger: Logger): Promise<Bus> {
  if (redisUrl === undefined) return new MemoryBus({ logger });
  return createRedisBus({ url: redisUrl, prefix, logger: logger.child({ part: 'bus' }) });
}

export async function openSessionStore(databaseUrl: string | undefined, dataDir: string, logger: Logger): Promise<SessionStore> {
  if (databaseUrl !== undefined) return createPostgresStore({ url: databaseUrl, logger: logger.child({ part: 'store' }) });
  // In a worker thread: PGlite's synchronous WebAssembly would otherwise stall the proxy's requests.
  return createPgliteWorkerStore({ dataDir: path.join(dataDir, 'sessions') });
}

export interface Telemetry {
  store: TelemetryStore;
  writer: TelemetryWriter;
  close(): Promise<void>;
}

/**
 * Telemetry store plus the batching writer the proxy hands rows to. The
 * ClickHouse store migrates itself and drops expired partitions daily; it
 * keeps retrying in the background while ClickHouse is down, so a dead
 * ClickHouse degrades analytics (rows wait and spill) instead of stopping downspin.
 */
export async function openTelemetry(
  clickhouseUrl: string | undefined,
  options: { dataDir: string; retentionDays: number; logger: Logger },
): Promise<Telemetry> {
  const logger = options.logger.child({ part: 'telemetry' });
  let store: TelemetryStore;
  if (clickhouseUrl === undefined) {
    store = new MemoryTelemetryStore();
  } else {
    const clickhouse = new ClickHouseTelemetryStore({ url: clickhouseUrl, retentionDays: options.retentionDays, logger });
    void clickhouse.start();
    store = clickhouse;
  }
  const writer = await TelemetryWriter.open({
    store,
    spillDir: clickhouseUrl === undefined ? undefined : path.join(options.dataDir, 'telemetry-spill'),
    logger,
  });
  return {
    store,
    writer,
    async close() {
      await writer.close();
      await store.close();
    },
  };
}

/** What a command runs on, and how to close it (in reverse order). */
export interface Parts {
  bus: Bus;
  store: SessionStore;
  telemetry: Telemetry;
  logger: Logger;
  closers: (() => Promise<void>)[];
}

/** The settings `openParts` reads: every command that runs on the parts takes them. */
export const PARTS_SETTINGS = ['redisUrl', 'redisPrefix', 'databaseUrl', 'clickhouseUrl', 'retentionDays'] as const;

/** Opens the bus, the session store and telemetry for a command, registering their closers. */
export async function openParts(
  settings: Settings<(typeof PARTS_SETTINGS)[number]>,
  dataDir: string,
  logger: Logger,
): Promise<Parts> {
  const closers: Parts['closers'] = [];
  const bus = await openBus(settings.redisUrl, settings.redisPrefix, logger);
  closers.push(() => bus.close());
  const store = await openSessionStore(settings.databaseUrl, dataDir, logger);
  closers.push(() => store.close());
  const telemetry = await openTelemetry(settings.clickhouseUrl, { dataDir, retentionDays: settings.retentionDays, logger });
  closers.push(() => telemetry.close());
  return { bus, store, telemetry, logger, closers };
}
