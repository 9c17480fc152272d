import type {} from 'vitest';

// What testing/src/clickhouse-setup.ts and global-setup.ts provide (see
// there), repeated so this package's tests type-check on their own.
declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
    /** HTTP URL of the ClickHouse server started for this run. */
    clickhouseUrl: string;
  }
}
