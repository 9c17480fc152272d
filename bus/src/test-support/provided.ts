import type {} from 'vitest';

// What testing/src/global-setup.ts provides to every test file (see there);
// repeated here so this package's tests type-check on their own.
declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** Prefix for every Redis key and channel this run uses. */
    redisPrefix: string;
  }
}
