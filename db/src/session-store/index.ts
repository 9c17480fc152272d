// The session store and its migrations (PGlite / PostgreSQL, the same SQL).
export type {
  ActivityItem,
  ApplyShapingInput,
  ApplyShapingOptions,
  CommandRecord,
  PutScenarioInput,
  ScenarioRecord,
  RiskFacts,
  SessionListFilter,
  SessionRecord,
  SessionStore,
  StoreHealth,
} from './store.js';
export { isThrottling } from './throttled.js';
export { foldActivity } from './activity.js';
export { createPgliteStore, createPostgresStore, type PgliteStoreOptions, type PostgresStoreOptions } from './factories.js';
export { createPgliteWorkerStore, StoreBusyError, StoreWorkerError, type PgliteWorkerStoreOptions } from './worker/thread-store.js';
export type { SqlClient, SqlExecutor } from '../sql/client.js';
export { createPgliteClient, type PgliteClientOptions } from '../sql/pglite-client.js';
export { createPostgresClient, type PostgresClientOptions } from '../sql/postgres-client.js';
export { assertMigrated, migrate, migrationFiles, MIGRATIONS_DIR, MIGRATIONS_TABLE, NotMigratedError } from '../migrations/migrate.js';
