import type { TestProject } from 'vitest/node';
import { startClickHouse } from './clickhouse-server.js';
import './provided.js';

/**
 * Runs once per `vitest run`: starts one private ClickHouse server for the
 * whole run and stops it (removing its data) afterwards. Its time zone is
 * deliberately not UTC (+05:45), so SQL that silently relies on the server's
 * time zone for days or hours fails tests.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startClickHouse({ timezone: 'Asia/Kathmandu' });
  project.provide('clickhouseUrl', server.url);
  return async function teardown() {
    await server.stop();
  };
}
