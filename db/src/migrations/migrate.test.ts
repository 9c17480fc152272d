import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test-support/databases.js';
import { createPgliteClient } from '../sql/pglite-client.js';
import { createPostgresClient } from '../sql/postgres-client.js';
import type { SqlClient } from '../sql/client.js';
import { assertMigrated, migrate, migrationFiles, NotMigratedError } from './migrate.js';

const clients: [string, () => Promise<SqlClient>][] = [
  ['pglite', () => createPgliteClient()],
  ['postgres', async () => createPostgresClient({ url: await createTestDatabase('migrate') })],
];

describe.each(clients)('migrate on %s', (_name, makeClient) => {
  it('applies every file once, even when two processes migrate at the same time', async () => {
    const client = await makeClient();
    try {
      const files = await migrationFiles();
      expect(files.length).toBeGreaterThan(0);
      await expect(assertMigrated(client)).rejects.toBeInstanceOf(NotMigratedError);

      const [a, b] = await Promise.all([migrate(client), migrate(client)]);
      // One call applied everything; the other, queued on the lock, found nothing to do.
      expect([...a, ...b].sort()).toEqual(files);
      await expect(assertMigrated(client)).resolves.toBeUndefined();
      expect(await migrate(client)).toEqual([]);

      const { rows } = await client.query<{ name: string }>('SELECT name FROM downspin_migrations ORDER BY name');
      expect(rows.map((r) => r.name)).toEqual(files);
    } finally {
      await client.close();
    }
  });

  it('names the missing migrations when a database is only partly migrated', async () => {
    const client = await makeClient();
    try {
      await migrate(client);
      const [last] = (await migrationFiles()).slice(-1);
      await client.query('DELETE FROM downspin_migrations WHERE name = $1', [last]);
      await expect(assertMigrated(client)).rejects.toThrow(`missing ${last}`);
    } finally {
      await client.close();
    }
  });
});
