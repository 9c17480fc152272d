import type { ClickHouseClient } from '@clickhouse/client';
import { TelemetryStoreError } from '../errors.js';
import type { TelemetryBatch } from '../types.js';
import { encodeClientEvent, encodeRequest, encodeWebSocket, TABLES } from './columns.js';
import { int, quote } from './sql.js';

type Encoded = Record<string, unknown> & { ts: number; batch_seq: number };

function encode(batch: TelemetryBatch): Encoded[] {
  switch (batch.kind) {
    case 'requests':
      return batch.rows.map((row, seq) => encodeRequest(row, batch.id, seq) as Encoded);
    case 'websockets':
      return batch.rows.map((row, seq) => encodeWebSocket(row, batch.id, seq) as Encoded);
    case 'client_events':
      return batch.rows.map((row, seq) => encodeClientEvent(row, batch.id, seq) as Encoded);
  }
}

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
  let rows = encode(batch);
  if (mayExist) {
    const running = await client.query({
      query: `SELECT count() AS n FROM system.processes WHERE query_id = ${quote(queryId)}`,
      format: 'JSONEachRow',
    });
    const [{ n } = { n: 0 }] = await running.json<{ n: string | number }>();
    if (Number(n) > 0) throw new TelemetryStoreError(`an earlier insert of batch ${batch.id} is still running`, true);

    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const row of rows) {
      min = Math.min(min, row.ts);
      max = Math.max(max, row.ts);
    }
    const present = await client.query({
      query: `SELECT batch_seq FROM ${table}
        WHERE ts >= ${int(min)} AND ts <= ${int(max)} AND batch_id = ${quote(batch.id)}`,
      format: 'JSONEachRow',
    });
    const stored = new Set((await present.json<{ batch_seq: number | string }>()).map((row) => Number(row.batch_seq)));
    if (stored.size > 0) rows = rows.filter((row) => !stored.has(row.batch_seq));
    if (rows.length === 0) return;
  }
  await client.insert({ table, values: rows, format: 'JSONEachRow', query_id: queryId });
}
