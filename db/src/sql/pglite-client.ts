import { mkdir } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor } from './client.js';
import { redactParams } from './redact.js';

export interface PgliteClientOptions {
  /** Directory for the database files; in memory when omitted. */
  dataDir?: string;
}

/**
 * PGlite's defaults size PostgreSQL for a server (shared_buffers 160 MB, wal_buffers 5 MB), and
 * the shared buffers are touched at start: an idle `downspin start` held ~530 MB, ~150 MB more
 * than with these. The session table of a QA team is a few MB; 16 MB of buffers hold it.
 */
const SMALL_MEMORY = ['-c', 'shared_buffers=16MB', '-c', 'wal_buffers=256kB', '-c', 'temp_buffers=1MB'];

/**
 * V8 compiles WebAssembly twice by default: a quick baseline (Liftoff), then an optimised tier
 * (TurboFan) for hot functions. PGlite's 9 MB module made the second tier cost ~45 MB of RSS
 * (compiled code and the compiler's freed-but-kept malloc arenas) and no speed on the store's
 * short statements: 5,000 upserts took 626–723 ms with Liftoff only against 674–1,163 ms with
 * both tiers. The flag is process-wide and read when a module compiles; PGlite is the only
 * large module here (undici's llhttp is the other, and is small).
 */
let liftoffOnly = false;
function compileWasmOnce(): void {
  if (liftoffOnly) return;
  setFlagsFromString('--liftoff-only');
  liftoffOnly = true;
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
  compileWasmOnce();
  const db = await PGlite.create({ dataDir: options.dataDir, startParams: [...PGlite.defaultStartParams, ...SMALL_MEMORY] });
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
