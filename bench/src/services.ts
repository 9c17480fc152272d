import { randomBytes } from 'node:crypto';
import { createRedisBus } from '@downspin/bus';
import { createPostgresClient, migrate, type SqlClient } from '@downspin/db';

/**
 * The Redis and PostgreSQL a scale-out deployment in the bench uses: the same
 * services the tests use (testing/src/global-setup.ts reads these too).
 */
export const redisUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const postgresAdminUrl = (): string => process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  databaseUrl: string;
  /** Drops the database (its connections forced closed). */
  drop(): Promise<void>;
}

/** Redis reachable and a fresh migrated PostgreSQL database of the bench's own; or why not. */
export async function prepareScaleOut(): Promise<BenchDatabase | { missing: string }> {
  try {
    const probe = await createRedisBus({ url: redisUrl(), prefix: 'downspin-bench-probe:', connectTimeoutMs: 2000 });
    await probe.close();
  } catch (error) {
    return { missing: `Redis unreachable (${redisUrl()}, TEST_REDIS_URL): ${error instanceof Error ? error.message : String(error)}` };
  }
  const admin: SqlClient = createPostgresClient({ url: postgresAdminUrl(), connectTimeoutMs: 2000, max: 1 });
  const database = `downspin_bench_${randomBytes(4).toString('hex')}`;
  try {
    await admin.exec(`CREATE DATABASE ${database}`);
  } catch (error) {
    await admin.close();
    const where = new URL(postgresAdminUrl()).host;
    return { missing: `PostgreSQL unreachable (${where}, TEST_POSTGRES_URL): ${error instanceof Error ? error.message : String(error)}` };
  }
  const url = new URL(postgresAdminUrl());
  url.pathname = `/${database}`;
  const client = createPostgresClient({ url: url.toString() });
  try {
    await migrate(client);
  } finally {
    await client.close();
  }
  return {
    databaseUrl: url.toString(),
    async drop() {
      await admin.exec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.close();
    },
  };
}
