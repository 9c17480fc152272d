import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor } from './client.js';
import { redactParams } from './redact.js';

export interface PgliteClientOptions {
  /** Directory for the database files; in memory when omitted. */
  dataDir?: string;
}

/**
 * An embedded PostgreSQL (PGlite, WebAssembly) behind `SqlClient`. PGlite
 * runs one statement at a time and its `transaction` holds a lock, so
 * concurrent transactions queue instead of interleaving.
 *
 * @example const client = await createPgliteClient({ dataDir: './.downspin/sessions' });
 */
export async function createPgliteClient(options: PgliteClientOptions = {}): Promise<SqlClient> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const executor = (target: Pick<PGlite, 'query' | 'exec'>): SqlExecutor => ({
    async query<Row>(text: string, params: readonly unknown[] = []) {
      try {
        const result = await target.query<Row>(text, [...params]);
        return { rows: result.rows };
      } catch (error) {
        throw redactParams(error);
      }
    },
    async exec(script: string) {
      await target.exec(script);
    },
  });
  return {
    kind: 'pglite',
    ...executor(db),
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
