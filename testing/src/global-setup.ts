import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import './provided.js';

/**
 * Runs once per `vitest run`: gives this run its own PostgreSQL database and
 * Redis key prefix so concurrent runs never see each other's data, and drops
 * them afterwards.
 */
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `downspin_test_${runId}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/${database}`;

  project.provide('runId', runId);
  project.provide('postgresAdminUrl', ADMIN_URL);
  project.provide('databaseUrl', databaseUrl.toString());
  project.provide('redisUrl', REDIS_URL);
  project.provide('redisPrefix', `downspin-test-${runId}:`);

  return async function teardown() {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    // Tests may have made more databases with this run's prefix.
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${database}%`],
    );
    for (const row of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    }
    await client.end();
  };
}
