import type {} from 'vitest';

// What testing/src/global-setup.ts provides to every test file (see there);
// repeated here so this package's tests type-check on their own.
declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    postgresAdminUrl: string;
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}
