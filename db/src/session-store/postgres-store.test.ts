import { inject } from 'vitest';
import { createTestDatabase } from '../test-support/databases.js';
import { describeSessionStoreContract } from './contract.js';
import { createPostgresStore } from './factories.js';

// The run's database is shared with other test files: migrating it is safe
// to repeat (advisory lock, idempotent). The unmigrated case gets its own.
describeSessionStoreContract('postgres', async ({ migrated }) =>
  migrated
    ? createPostgresStore({ url: inject('databaseUrl'), migrate: true })
    : createPostgresStore({ url: await createTestDatabase('unmigrated') }),
);
