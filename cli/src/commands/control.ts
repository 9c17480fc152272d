import { caFiles } from '@downspin/proxy';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { resolveAdminKey } from '../admin-key.js';
import { CONTROL_SETTINGS, runControl } from '../assemble.js';
import { readSettings, type SettingName } from '../config.js';
import { createLogger } from '../logger.js';
import { assertPortsUsable } from '../ports.js';
import { openParts, PARTS_SETTINGS } from '../services.js';
import { handleProcessSignals } from '../shutdown.js';
import { addSettingOptions } from './settings-options.js';

const SETTINGS = [
  'controlPort',
  'host',
  'dataDir',
  'adminKey',
  ...PARTS_SETTINGS,
  ...CONTROL_SETTINGS,
  'logLevel',
] as const satisfies readonly SettingName[];

/** `downspin control`: the control API and dashboard of a scale-out deployment. */
export function controlCommand(): Command {
  const command = new Command('control').description('run the control API and dashboard (scale-out: REDIS_URL, DATABASE_URL, CLICKHOUSE_URL)');
  addSettingOptions(command, SETTINGS);
  command.action(async (flags: Record<string, unknown>) => {
    const settings = readSettings(SETTINGS, flags, process.env);
    await assertPortsUsable(settings.host, [{ setting: 'controlPort', port: settings.controlPort }]);
    const logger = createLogger(settings.logLevel);
    const dataDir = path.resolve(settings.dataDir);
    await mkdir(dataDir, { recursive: true });
    if (settings.clickhouseUrl === undefined) {
      logger.warn('CLICKHOUSE_URL is not set: analytics only see telemetry of this process, and separate proxies keep theirs');
    }
    const admin = await resolveAdminKey(settings.adminKey, dataDir);
    const parts = await openParts(settings, dataDir, logger);
    const control = await runControl(parts, { port: settings.controlPort, host: settings.host, adminKey: admin.key, sessionIdleMinutes: settings.sessionIdleMinutes, caCertificateFile: caFiles(dataDir).certPath });
    handleProcessSignals(logger, parts.closers);
    const key = admin.source === 'env' ? 'from ADMIN_API_KEY' : `${admin.key} (in ${path.join(dataDir, 'admin-key')})`;
    process.stdout.write(`downspin control API and dashboard on ${control.url}; admin key ${key}\n`);
  });
  return command;
}
