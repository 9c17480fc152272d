import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type {} from '@downspin/testing'; // its ProvidedContext: the keys inject() reads

/**
 * Creates an empty PostgreSQL database for one test file, named with this
 * run's prefix so the global teardown drops it. Returns its URL.
 */
export async function createTestDatabase(label: string): Promise<string> {
  const name = `downspin_test_${inject('runId')}_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(3).toString('hex')}`;
  const adminUrl = inject('postgresAdminUrl');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // The name is built from [a-z0-9_] only; CREATE DATABASE takes no parameters.
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
