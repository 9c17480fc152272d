import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Command } from 'commander';
import { createControlApi, startControlServer } from '@downspin/control-api';
import { resolveAdminKey } from '../admin-key.js';
import { readSettings, type SettingName } from '../config.js';
import { createLogger } from '../logger.js';
import { openBus, openSessionStore } from '../services.js';
import { handleProcessSignals } from '../shutdown.js';
import { addSettingOptions } from './settings-options.js';

const CONTROL_SETTINGS = [
  'controlPort',
  'host',
  'dataDir',
  'adminKey',
  'redisUrl',
  'databaseUrl',
  'clickhouseUrl',
  'logLevel',
] as const satisfies readonly SettingName[];

/** `downspin control`: the control API and dashboard of a scale-out deployment. */
export function controlCommand(): Command {
  const command = new Command('control').description('run the control API and dashboard (scale-out: REDIS_URL, DATABASE_URL)');
  addSettingOptions(command, CONTROL_SETTINGS);
  command.action(async (flags: Record<string, unknown>) => {
    const settings = readSettings(CONTROL_SETTINGS, flags, process.env);
    const logger = createLogger(settings.logLevel);
    const dataDir = path.resolve(settings.dataDir);
    await mkdir(dataDir, { recursive: true });
    const admin = await resolveAdminKey(settings.adminKey, dataDir);
    const closers: (() => Promise<void>)[] = [];
    const bus = await openBus(settings.redisUrl, logger);
    closers.push(() => bus.close());
    const store = await openSessionStore(settings.databaseUrl, dataDir, logger);
    closers.push(() => store.close());
    const app = await createControlApi({ store, bus, adminKey: admin.key, logger: logger.child({ part: 'control' }) });
    closers.push(() => app.close());
    const control = await startControlServer({ app, port: settings.controlPort, host: settings.host });
    closers.push(() => control.close());
    handleProcessSignals(logger, closers);
    const key = admin.source === 'env' ? 'from ADMIN_API_KEY' : `${admin.key} (in ${path.join(dataDir, 'admin-key')})`;
    process.stdout.write(`downspin control API and dashboard on ${control.url}; admin key ${key}\n`);
  });
  return command;
}
