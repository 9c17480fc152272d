import path from 'node:path';
import { Command } from 'commander';
import { createPgliteClient, createPostgresClient, migrate, migrationFiles } from '@downspin/db';
import { readSettings, type SettingName } from '../config.js';
import { addSettingOptions } from './settings-options.js';

const MIGRATE_SETTINGS = ['databaseUrl', 'dataDir'] as const satisfies readonly SettingName[];

/**
 * `downspin migrate`: brings the session database up to date — PostgreSQL
 * when DATABASE_URL is set, else the embedded PGlite under --data-dir.
 * (ClickHouse tables are created by the telemetry store itself on start.)
 */
export function migrateCommand(): Command {
  const command = new Command('migrate').description('apply database migrations (DATABASE_URL, or the embedded PGlite)');
  addSettingOptions(command, MIGRATE_SETTINGS);
  command.action(async (flags: Record<string, unknown>) => {
    const settings = readSettings(MIGRATE_SETTINGS, flags, process.env);
    const client =
      settings.databaseUrl !== undefined
        ? createPostgresClient({ url: settings.databaseUrl })
        : await createPgliteClient({ dataDir: path.join(path.resolve(settings.dataDir), 'sessions') });
    try {
      const applied = await migrate(client);
      const total = (await migrationFiles()).length;
      const where = settings.databaseUrl !== undefined ? new URL(settings.databaseUrl).host : 'embedded PGlite';
      process.stdout.write(
        applied.length === 0
          ? `${where}: up to date (${total} migrations)\n`
          : `${where}: applied ${applied.join(', ')}\n`,
      );
    } finally {
      await client.close();
    }
  });
  return command;
}
