import type {} from 'vitest';

/**
 * What the global setups provide to tests (`inject('…')`). Declared here,
 * in the module every test imports through `@downspin/testing`, so each
 * workspace's type check sees the same keys.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    /** Admin connection string; tests create their own databases through it. */
    postgresAdminUrl: string;
    /** A database made for this run (empty, unmigrated). */
    databaseUrl: string;
    redisUrl: string;
    /** Prefix for every Redis key and channel this run uses. */
    redisPrefix: string;
    /** HTTP URL of a ClickHouse server started for this run; tests make their own databases on it. */
    clickhouseUrl: string;
  }
}
