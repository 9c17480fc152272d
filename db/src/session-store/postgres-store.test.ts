import { createTestDatabase } from '../test-support/databases.js';
import { describeSessionStoreContract } from './contract.js';
import { createPostgresStore } from './factories.js';

// The contract gets a database of its own: expiring idle sessions deletes every idle
// unshaped row, which must not reach sessions other test files are using.
let own: Promise<string> | undefined;
describeSessionStoreContract('postgres', async ({ migrated }) =>
  migrated
    ? createPostgresStore({ url: await (own ??= createTestDatabase('contract')), migrate: true })
    : createPostgresStore({ url: await createTestDatabase('unmigrated') }),
);
