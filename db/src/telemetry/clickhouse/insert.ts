import { Readable } from 'node:stream';
import { setImmediate as nextTask } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { TelemetryStoreError } from '../errors.js';
import { count } from '../rows.js';
import type { TelemetryBatch } from '../types.js';
import { INSERT_COLUMNS, TABLES, writeClientEvent, writeRequest, writeWebSocket } from './columns.js';
import { RowBinaryWriter } from './row-binary.js';
import { int, quote } from './sql.js';

/**
 * Rows encoded per task. Encoding lazily as the body is sent is not enough:
 * on loopback ClickHouse takes every byte at once, the socket never pushes
 * back, and a 10,000-row batch (5 s at 2,000 req/s) was encoded in one run
 * of 20+ ms on the proxy's event loop (#16). A row costs 1.5–4 µs, so a task
 * here is well under a millisecond.
 */
export const ROWS_PER_TASK = 200;

/**
 * The batch as RowBinary, encoded as the request body is sent, with a turn of
 * the event loop (timers, sockets) every ROWS_PER_TASK rows, and the rows at
 * positions in `skip` left out.
 */
export async function* encodeBatch(batch: TelemetryBatch, skip: ReadonlySet<number>): AsyncGenerator<Buffer> {
  const w = new RowBinaryWriter();
  const { id, rows } = batch;
  for (let from = 0; from < rows.length; from += ROWS_PER_TASK) {
    if (from > 0) await nextTask();
    // A task's rows in one synchronous loop: a step of this generator per row cost more than the row.
    const to = Math.min(rows.length, from + ROWS_PER_TASK);
    for (let seq = from; seq < to; seq++) {
      if (skip.has(seq)) continue;
      switch (batch.kind) {
        case 'requests':
          writeRequest(w, batch.rows[seq]!, id, seq);
          break;
        case 'websockets':
          writeWebSocket(w, batch.rows[seq]!, id, seq);
          break;
        case 'client_events':
          writeClientEvent(w, batch.rows[seq]!, id, seq);
          break;
      }
    }
    const full = w.take();
    if (full.length > 0) yield* full;
  }
  yield* w.end();
}

const NOTHING = new Set<number>();

/**
 * Inserts a batch; with `mayExist`, only the rows an earlier attempt did not
 * store. A plain MergeTree does not deduplicate, so every row carries
 * (batch_id, batch_seq) and a retry first asks which of them are there.
 *
 * Every attempt of a batch uses the same query_id: ClickHouse refuses a
 * query whose id is still running, and before looking for stored rows we
 * make sure the earlier attempt is no longer running (its parts are then
 * either committed or gone).
 */
export async function insertBatch(client: ClickHouseClient, batch: TelemetryBatch, mayExist: boolean): Promise<void> {
  const table = TABLES[batch.kind];
  const queryId = `downspin-insert-${batch.kind}-${batch.id}`;
  let stored: ReadonlySet<number> = NOTHING;
  if (mayExist) {
    const running = await client.query({
      query: `SELECT count() AS n FROM system.processes WHERE query_id = ${quote(queryId)}`,
      format: 'JSONEachRow',
    });
    const [{ n } = { n: 0 }] = await running.json<{ n: string | number }>();
    if (Number(n) > 0) throw new TelemetryStoreError(`an earlier insert of batch ${batch.id} is still running`, true);

    // The same ts the row writers store (count() of the row's ts), so the range finds them.
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const row of batch.rows) {
      const ts = count(row.ts);
      min = Math.min(min, ts);
      max = Math.max(max, ts);
    }
    const present = await client.query({
      query: `SELECT batch_seq FROM ${table}
        WHERE ts >= ${int(min)} AND ts <= ${int(max)} AND batch_id = ${quote(batch.id)}`,
      format: 'JSONEachRow',
    });
    stored = new Set((await present.json<{ batch_seq: number | string }>()).map((row) => Number(row.batch_seq)));
    if (stored.size >= batch.rows.length) return;
  }
  const result = await client.exec({
    query: `INSERT INTO ${table} (${INSERT_COLUMNS[batch.kind]}) FORMAT RowBinary`,
    values: Readable.from(encodeBatch(batch, stored), { objectMode: false }),
    query_id: queryId,
  });
  // The answer is empty; reading it to the end returns the socket to the pool.
  for await (const _ of result.stream) void _;
}
