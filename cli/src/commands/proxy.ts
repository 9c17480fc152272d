import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Command } from 'commander';
import { startProxy } from '@downspin/proxy';
import { ConfigError, readSettings, type SettingName } from '../config.js';
import { createLogger } from '../logger.js';
import { openBus, openSessionStore, openTelemetry } from '../services.js';
import { handleProcessSignals } from '../shutdown.js';
import { addSettingOptions } from './settings-options.js';

const PROXY_SETTINGS = [
  'target',
  'port',
  'host',
  'dataDir',
  'redisUrl',
  'databaseUrl',
  'clickhouseUrl',
  'controlUrl',
  'insecureTarget',
  'abuseGuard',
  'abuseMaxViolations',
  'abuseBanSeconds',
  'retentionDays',
  'logLevel',
] as const satisfies readonly SettingName[];

/**
 * `downspin proxy`: one proxy instance of a scale-out deployment. Commands
 * arrive over Redis; the stored shaping is read from PostgreSQL at start and
 * after every bus reconnect; telemetry goes to ClickHouse.
 */
export function proxyCommand(): Command {
  const command = new Command('proxy').description('run one proxy instance (scale-out: needs REDIS_URL and DATABASE_URL)');
  addSettingOptions(command, PROXY_SETTINGS);
  command.action(async (flags: Record<string, unknown>) => {
    const settings = readSettings(PROXY_SETTINGS, flags, process.env);
    if (settings.target === undefined) throw new ConfigError('bad setting: --target (or TARGET_URL) is required: the app under test');
    if (settings.redisUrl === undefined || settings.databaseUrl === undefined) {
      throw new ConfigError(
        'bad setting: a separate proxy needs REDIS_URL (commands) and DATABASE_URL (stored shaping); use `downspin start` for one process',
      );
    }
    const logger = createLogger(settings.logLevel);
    const dataDir = path.resolve(settings.dataDir);
    await mkdir(dataDir, { recursive: true });
    const closers: (() => Promise<void>)[] = [];
    const bus = await openBus(settings.redisUrl, logger);
    closers.push(() => bus.close());
    const store = await openSessionStore(settings.databaseUrl, dataDir, logger);
    closers.push(() => store.close());
    if (settings.clickhouseUrl === undefined) {
      logger.warn('CLICKHOUSE_URL is not set: this proxy keeps its telemetry in its own memory, where analytics cannot see it');
    }
    const telemetry = await openTelemetry(settings.clickhouseUrl, { dataDir, retentionDays: settings.retentionDays, logger });
    closers.push(() => telemetry.close());
    const proxy = await startProxy({
      target: settings.target,
      port: settings.port,
      host: settings.host,
      bus,
      loadShaping: () => store.loadShaping(),
      telemetry: telemetry.writer,
      insecureTarget: settings.insecureTarget,
      abuseGuard: { enabled: settings.abuseGuard, maxViolations: settings.abuseMaxViolations, banMs: settings.abuseBanSeconds * 1000 },
      logger: logger.child({ part: 'proxy' }),
    });
    closers.push(() => proxy.close());
    handleProcessSignals(logger, closers);
    process.stdout.write(`downspin proxy ${proxy.proxyId} listening on ${proxy.url} → ${settings.target}\n`);
  });
  return command;
}
