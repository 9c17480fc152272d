/** har-validator ships no types: its promise API (the package's main), as the tests use it. */
declare module 'har-validator' {
  /** Resolves with the data when it is valid HAR 1.2, else rejects with a HARError listing ajv's errors. */
  export function har(data: unknown): Promise<unknown>;
}
