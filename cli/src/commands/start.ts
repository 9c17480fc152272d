import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { createControlApi, startControlServer } from '@downspin/control-api';
import { startDemoApp } from '@downspin/demo-app';
import { startProxy } from '@downspin/proxy';
import { resolveAdminKey } from '../admin-key.js';
import { startBanner } from '../banner.js';
import { readSettings, type SettingName } from '../config.js';
import { createLogger } from '../logger.js';
import { openBus, openSessionStore, openTelemetry } from '../services.js';
import { handleProcessSignals } from '../shutdown.js';
import { addSettingOptions } from './settings-options.js';

const START_SETTINGS = [
  'target',
  'port',
  'controlPort',
  'host',
  'dataDir',
  'adminKey',
  'redisUrl',
  'databaseUrl',
  'clickhouseUrl',
  'insecureTarget',
  'abuseGuard',
  'abuseMaxViolations',
  'abuseBanSeconds',
  'retentionDays',
  'logLevel',
] as const satisfies readonly SettingName[];

/**
 * `downspin start`: everything in one process. With no --target it also
 * serves the bundled demo app and puts the proxy in front of it.
 */
export function startCommand(): Command {
  const command = new Command('start').description('run the proxy, control API and dashboard in one process (embedded defaults)');
  addSettingOptions(command, START_SETTINGS);
  command.action(async (flags: Record<string, unknown>) => {
    const settings = readSettings(START_SETTINGS, flags, process.env);
    const logger = createLogger(settings.logLevel);
    const dataDir = path.resolve(settings.dataDir);
    await mkdir(dataDir, { recursive: true });
    const closers: (() => Promise<void>)[] = [];
    const admin = await resolveAdminKey(settings.adminKey, dataDir);

    const bus = await openBus(settings.redisUrl, logger);
    closers.push(() => bus.close());
    const store = await openSessionStore(settings.databaseUrl, dataDir, logger);
    closers.push(() => store.close());
    const telemetry = await openTelemetry(settings.clickhouseUrl, { dataDir, retentionDays: settings.retentionDays, logger });
    closers.push(() => telemetry.close());

    let target = settings.target;
    if (target === undefined) {
      const demo = await startDemoApp({ port: 0, host: '127.0.0.1', logger: logger.child({ part: 'demo' }) });
      closers.push(() => demo.close());
      target = demo.url;
    }

    const app = await createControlApi({ store, bus, adminKey: admin.key, logger: logger.child({ part: 'control' }) });
    closers.push(() => app.close());
    const control = await startControlServer({ app, port: settings.controlPort, host: settings.host });
    closers.push(() => control.close());

    const proxy = await startProxy({
      target,
      port: settings.port,
      host: settings.host,
      bus,
      loadShaping: () => store.loadShaping(),
      telemetry: telemetry.writer,
      insecureTarget: settings.insecureTarget,
      abuseGuard: {
        enabled: settings.abuseGuard,
        maxViolations: settings.abuseMaxViolations,
        banMs: settings.abuseBanSeconds * 1000,
      },
      logger: logger.child({ part: 'proxy' }),
    });
    closers.push(() => proxy.close());
    handleProcessSignals(logger, closers);

    process.stdout.write(
      startBanner({
        proxyUrl: proxy.url,
        controlUrl: control.url,
        target,
        demo: settings.target === undefined,
        adminKey: admin.key,
        keySource: admin.source,
        keyFile: path.join(dataDir, 'admin-key'),
        storage: [
          settings.redisUrl ? 'bus: redis' : 'bus: in-process',
          settings.databaseUrl ? 'sessions: postgresql' : `sessions: pglite (${path.join(dataDir, 'sessions')})`,
          settings.clickhouseUrl ? 'telemetry: clickhouse' : 'telemetry: in memory',
        ].join(', '),
      }) + '\n',
    );
  });
  return command;
}
