import { caFiles } from '@downspin/proxy';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { startDemoApp } from '@downspin/demo-app';
import { resolveAdminKey } from '../admin-key.js';
import { CONTROL_SETTINGS, PROXY_SETTINGS, runControl, runProxy } from '../assemble.js';
import { startBanner } from '../banner.js';
import { assertPortsUsable } from '../ports.js';
import { readSettings, type SettingName } from '../config.js';
import { createLogger } from '../logger.js';
import { openParts, PARTS_SETTINGS } from '../services.js';
import { handleProcessSignals } from '../shutdown.js';
import { addSettingOptions } from './settings-options.js';

const START_SETTINGS = [
  'target',
  'port',
  'controlPort',
  'host',
  'dataDir',
  'adminKey',
  ...PARTS_SETTINGS,
  ...PROXY_SETTINGS,
  ...CONTROL_SETTINGS,
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
    await assertPortsUsable(settings.host, [
      { setting: 'port', port: settings.port },
      { setting: 'controlPort', port: settings.controlPort },
    ]);
    const logger = createLogger(settings.logLevel);
    const dataDir = path.resolve(settings.dataDir);
    await mkdir(dataDir, { recursive: true });
    const admin = await resolveAdminKey(settings.adminKey, dataDir);
    const parts = await openParts(settings, dataDir, logger);

    let target = settings.target;
    if (target === undefined) {
      const demo = await startDemoApp({ port: 0, host: '127.0.0.1', logger: logger.child({ part: 'demo' }) });
      parts.closers.push(() => demo.close());
      target = demo.url;
    }
    const control = await runControl(parts, { port: settings.controlPort, host: settings.host, adminKey: admin.key, sessionIdleMinutes: settings.sessionIdleMinutes, caCertificateFile: caFiles(dataDir).certPath });
    const proxy = await runProxy(parts, { ...settings, target, dataDir });
    handleProcessSignals(logger, parts.closers);

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
