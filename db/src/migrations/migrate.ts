import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Umzug, type UmzugStorage } from 'umzug';
import type { SqlClient, SqlExecutor } from '../sql/client.js';

/**
 * The SQL migrations ship with the package in `db/postgres/`. This file sits
 * two levels below the package root both as src/migrations/*.ts (vitest) and
 * as dist/migrations/*.js (built), so one relative URL finds them.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../postgres/', import.meta.url));

/** Where applied migrations are recorded (name = file name). */
export const MIGRATIONS_TABLE = 'downspin_migrations';

// Any fixed number: concurrent `migrate` calls (two processes starting) queue on it.
const MIGRATION_LOCK_KEY = 7_041_977;

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  name text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Thrown when a service starts on a database that `downspin migrate` has not brought up to date. */
export class NotMigratedError extends Error {
  override readonly name = 'NotMigratedError';
  constructor(readonly missing: readonly string[]) {
    super(`The session database is not migrated (missing ${missing.join(', ')}): run \`downspin migrate\` first.`);
  }
}

/** Migration file names in the order they run. */
export async function migrationFiles(): Promise<string[]> {
  const names = await readdir(MIGRATIONS_DIR);
  return names.filter((name) => name.endsWith('.sql')).sort();
}

/** Records migrations in our own table, through the transaction that ran them. */
class SqlMigrationStorage implements UmzugStorage<SqlExecutor> {
  constructor(private readonly tx: SqlExecutor) {}

  async logMigration({ name }: { name: string }): Promise<void> {
    await this.tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
  }

  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.tx.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
  }

  async executed(): Promise<string[]> {
    const { rows } = await this.tx.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`);
    return rows.map((row) => row.name);
  }
}

/**
 * Applies every pending migration, all in one transaction under an advisory
 * lock: either the database ends fully migrated or unchanged, and two
 * processes migrating at once run the files only once. Returns the names
 * applied (empty when already up to date).
 *
 * @example await migrate(createPostgresClient({ url: process.env.DATABASE_URL! }));
 */
export async function migrate(client: SqlClient): Promise<string[]> {
  return client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(CREATE_MIGRATIONS_TABLE);
    const umzug = new Umzug<SqlExecutor>({
      migrations: (await migrationFiles()).map((name) => ({
        name,
        path: join(MIGRATIONS_DIR, name),
        up: async () => tx.exec(await readFile(join(MIGRATIONS_DIR, name), 'utf8')),
      })),
      context: tx,
      storage: new SqlMigrationStorage(tx),
      logger: undefined,
    });
    const applied = await umzug.up();
    return applied.map((migration) => migration.name);
  });
}

/**
 * Throws `NotMigratedError` unless every migration file was applied, so a
 * service refuses to start on an empty or outdated database.
 */
export async function assertMigrated(client: SqlExecutor): Promise<void> {
  const files = await migrationFiles();
  const { rows } = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    MIGRATIONS_TABLE,
  ]);
  if (!rows[0]?.present) throw new NotMigratedError(files);
  const applied = await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`);
  const done = new Set(applied.rows.map((row) => row.name));
  const missing = files.filter((name) => !done.has(name));
  if (missing.length > 0) throw new NotMigratedError(missing);
}
