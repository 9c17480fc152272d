import type { Logger } from 'pino';
import { assertMigrated, migrate } from '../migrations/migrate.js';
import type { SqlClient } from '../sql/client.js';
import { createPgliteClient } from '../sql/pglite-client.js';
import { createPostgresClient } from '../sql/postgres-client.js';
import { SqlSessionStore } from './sql-store.js';
import type { SessionStore } from './store.js';

export interface PgliteStoreOptions {
  /** Directory for the database files (e.g. `./.downspin/sessions`); in memory when omitted. */
  dataDir?: string;
  /**
   * Apply pending migrations first. Default true: the embedded database
   * belongs to one process. With false, an unmigrated database is refused.
   */
  migrate?: boolean;
}

export interface PostgresStoreOptions {
  /** `DATABASE_URL`, e.g. `postgres://postgres@127.0.0.1:5432/downspin`. */
  url: string;
  /**
   * Apply pending migrations first. Default false: a shared database is
   * migrated once with `downspin migrate`, and services refuse to start on
   * an unmigrated one (`NotMigratedError`).
   */
  migrate?: boolean;
  /** Pool size. Default 10. */
  poolSize?: number;
  logger?: Logger;
}

/**
 * The embedded session store (PGlite).
 *
 * @example const store = await createPgliteStore({ dataDir: './.downspin/sessions' });
 */
export async function createPgliteStore(options: PgliteStoreOptions = {}): Promise<SessionStore> {
  const client = await createPgliteClient({ dataDir: options.dataDir });
  const where = options.dataDir === undefined ? 'in memory' : options.dataDir;
  return open(client, options.migrate ?? true, `pglite (${where})`);
}

/**
 * The scale-out session store (PostgreSQL). Rejects with `NotMigratedError`
 * on a database `downspin migrate` has not brought up to date.
 *
 * @example const store = await createPostgresStore({ url: process.env.DATABASE_URL! });
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<SessionStore> {
  const client = createPostgresClient({ url: options.url, max: options.poolSize, logger: options.logger });
  const url = new URL(options.url);
  return open(client, options.migrate ?? false, `postgres (${url.host}${url.pathname})`);
}

async function open(client: SqlClient, runMigrations: boolean, description: string): Promise<SessionStore> {
  try {
    if (runMigrations) await migrate(client);
    await assertMigrated(client);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return new SqlSessionStore(client, description);
}
