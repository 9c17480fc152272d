import pg from 'pg';
import pino, { type Logger } from 'pino';
import type { SqlClient, SqlExecutor } from './client.js';
import { redactParams } from './redact.js';

export interface PostgresClientOptions {
  /** `postgres://user@host:5432/db` */
  url: string;
  /** Pool size. Default 10. */
  max?: number;
  /** A query still running after this is abandoned with an error. Default 10 s. */
  queryTimeoutMs?: number;
  /** How long to wait for a connection before failing. Default 3 s. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/**
 * PostgreSQL through a `pg` Pool behind `SqlClient`. Connection failures
 * surface as rejected queries (never as an unhandled 'error' event), so a
 * dead database degrades callers instead of crashing the process.
 */
export function createPostgresClient(options: PostgresClientOptions): SqlClient {
  const logger = options.logger ?? pino({ level: 'silent' });
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
    query_timeout: options.queryTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
  });
  // Idle clients that lose their connection are reported here; the pool replaces them.
  pool.on('error', (error) => logger.warn({ err: error }, 'postgres connection lost'));

  const executor = (target: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<Row>(text: string, params: readonly unknown[] = []) {
      try {
        const result = await target.query(text, [...params]);
        return { rows: result.rows as Row[] };
      } catch (error) {
        // pg attaches no parameters today; redacting here keeps both clients one rule.
        throw redactParams(error);
      }
    },
    async exec(script: string) {
      // Without parameters pg uses the simple protocol, which takes several statements.
      await target.query(script);
    },
  });
  let closed = false;

  return {
    kind: 'postgres',
    ...executor(pool),
    async transaction(fn) {
      const client = await pool.connect();
      const onError = (error: Error): void => logger.warn({ err: error }, 'postgres connection lost in a transaction');
      client.on('error', onError);
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.off('error', onError);
        // A client whose ROLLBACK failed is dropped rather than reused mid-transaction.
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
