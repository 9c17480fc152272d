import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startProxyMetricsServer } from '@downspin/control-api';
import { Command } from 'commander';
import { PROXY_SETTINGS, runProxy } from '../assemble.js';
import { ConfigError, readSettings, type SettingName } from '../config.js';
import { createLogger } from '../logger.js';
import { assertPortsUsable } from '../ports.js';
import { openParts, PARTS_SETTINGS } from '../services.js';
import { handleProcessSignals } from '../shutdown.js';
import { addSettingOptions } from './settings-options.js';

const SETTINGS = [
  'target',
  'port',
  'metricsPort',
  'host',
  'dataDir',
  ...PARTS_SETTINGS,
  ...PROXY_SETTINGS,
  'logLevel',
] as const satisfies readonly SettingName[];

/**
 * `downspin proxy`: one proxy instance of a scale-out deployment. Commands
 * arrive over Redis; the stored shaping is read from PostgreSQL at start and
 * after every bus reconnect; telemetry goes to ClickHouse.
 */
export function proxyCommand(): Command {
  const command = new Command('proxy').description('run one proxy instance (scale-out: needs REDIS_URL and DATABASE_URL)');
  addSettingOptions(command, SETTINGS);
  command.action(async (flags: Record<string, unknown>) => {
    const settings = readSettings(SETTINGS, flags, process.env);
    if (settings.target === undefined) throw new ConfigError('bad setting: --target (or TARGET_URL) is required: the app under test');
    if (settings.redisUrl === undefined || settings.databaseUrl === undefined) {
      throw new ConfigError(
        'bad setting: a separate proxy needs REDIS_URL (commands) and DATABASE_URL (stored shaping); use `downspin start` for one process',
      );
    }
    await assertPortsUsable(settings.host, [
      { setting: 'port', port: settings.port },
      ...(settings.metricsPort === undefined ? [] : [{ setting: 'metricsPort' as const, port: settings.metricsPort }]),
    ]);
    const logger = createLogger(settings.logLevel);
    const dataDir = path.resolve(settings.dataDir);
    await mkdir(dataDir, { recursive: true });
    if (settings.clickhouseUrl === undefined) {
      logger.warn('CLICKHOUSE_URL is not set: this proxy keeps its telemetry in its own memory, where analytics cannot see it');
    }
    const parts = await openParts(settings, dataDir, logger);
    const proxy = await runProxy(parts, { ...settings, target: settings.target, dataDir });
    const metrics =
      settings.metricsPort === undefined ? undefined : await startProxyMetricsServer({ port: settings.metricsPort, host: settings.host, stats: () => proxy.stats() });
    if (metrics) parts.closers.push(() => metrics.close());
    handleProcessSignals(logger, parts.closers);
    process.stdout.write(`downspin proxy ${proxy.proxyId} listening on ${proxy.url} → ${settings.target}\n`);
    if (metrics) process.stdout.write(`metrics ${metrics.url}/metrics\n`);
  });
  return command;
}
