import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { serverErrorCode } from './server-error.js';
import { int, quote } from './sql.js';

/** ILLEGAL_COLUMN: what 18.16 answers to ADD COLUMN of a column that exists. */
const ILLEGAL_COLUMN = '44';
const ADD_COLUMN = /^ALTER\s+TABLE\s+\S+\s+ADD\s+COLUMN\s/i;

/**
 * Runs one statement. 18.16 has no `ADD COLUMN IF NOT EXISTS`, so an
 * `ALTER TABLE … ADD COLUMN` whose column is already there (another process
 * migrating at once, or a run cut short before it was recorded) counts as
 * done: the same schema either way. Its type is checked by columns.test.ts.
 */
async function run(client: ClickHouseClient, statement: string): Promise<void> {
  try {
    await client.command({ query: statement });
  } catch (error) {
    const exists = ADD_COLUMN.test(statement.replace(/^\s*--.*$/gm, '').trim()) && serverErrorCode(error) === ILLEGAL_COLUMN && /already exists/.test(String(error));
    if (!exists) throw error;
  }
}

/** db/clickhouse/, the same three levels up from src/telemetry/clickhouse and dist/telemetry/clickhouse. */
export const CLICKHOUSE_MIGRATIONS_DIR = fileURLToPath(new URL('../../../clickhouse/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Reads `NNN_name.sql` files in version order; statements end with `;` at the end of a line. */
export async function loadMigrations(dir = CLICKHOUSE_MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d+_[\w-]+\.sql$/.test(file)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const sql = await readFile(`${dir}/${file}`, 'utf8');
    const statements = sql
      .split(/;\s*$/m)
      .map((statement) => statement.trim())
      .filter((statement) => statement.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
    migrations.push({ version: Number(file.slice(0, file.indexOf('_'))), name: file, statements });
  }
  return migrations;
}

/**
 * Applies the migrations not yet recorded in `downspin_migrations`, in order.
 * Every statement is `IF NOT EXISTS` (or an ADD COLUMN, see run()), so two
 * processes migrating at once (or a run cut short) leave the same schema.
 * Returns the names applied.
 */
export async function applyClickHouseMigrations(
  client: ClickHouseClient,
  options: { logger?: Logger; dir?: string } = {},
): Promise<string[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS downspin_migrations (version UInt32, name String, applied_at DateTime)
      ENGINE = MergeTree ORDER BY version`,
  });
  const result = await client.query({ query: 'SELECT DISTINCT version FROM downspin_migrations', format: 'JSONEachRow' });
  const applied = new Set((await result.json<{ version: number | string }>()).map((row) => Number(row.version)));
  const done: string[] = [];
  for (const migration of await loadMigrations(options.dir)) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.statements) await run(client, statement);
    await client.command({
      query: `INSERT INTO downspin_migrations (version, name, applied_at)
        VALUES (${int(migration.version)}, ${quote(migration.name)}, now())`,
    });
    options.logger?.info({ migration: migration.name }, 'clickhouse migration applied');
    done.push(migration.name);
  }
  return done;
}
