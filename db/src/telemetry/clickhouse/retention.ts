import type { ClickHouseClient } from '@clickhouse/client';
import { ident, int, quote } from './sql.js';

/** Every day-partitioned telemetry table. */
export const PARTITIONED_TABLES = ['requests', 'ws_connections', 'client_events', 'requests_minute'] as const;
export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** yyyymmdd of a UTC day, as the tables' partition key spells it. */
export function dayKey(epochMs: number): number {
  const d = new Date(epochMs);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/**
 * Drops whole day partitions that ended more than `days` days ago (UTC), in
 * every telemetry table. Rows younger than `days` days are always kept.
 * Returns what was dropped. Run on start and daily.
 */
export async function dropExpiredPartitions(
  client: ClickHouseClient,
  options: { days?: number; now?: number } = {},
): Promise<Array<{ table: string; partition: string }>> {
  const days = options.days ?? DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < 1) throw new RangeError('retention days must be a positive integer');
  const cutoff = dayKey((options.now ?? Date.now()) - days * DAY_MS);
  const result = await client.query({
    query: `SELECT DISTINCT table, partition FROM system.parts
      WHERE database = currentDatabase() AND active AND table IN (${PARTITIONED_TABLES.map(quote).join(', ')})`,
    format: 'JSONEachRow',
  });
  const parts = await result.json<{ table: string; partition: string }>();
  const dropped: Array<{ table: string; partition: string }> = [];
  for (const { table, partition } of parts) {
    // Partition ids come back as text: only plain yyyymmdd days of our own tables are touched.
    if (!/^\d{8}$/.test(partition) || !(PARTITIONED_TABLES as readonly string[]).includes(table)) continue;
    if (Number(partition) >= cutoff) continue;
    await client.command({ query: `ALTER TABLE ${ident(table)} DROP PARTITION ${int(Number(partition))}` });
    dropped.push({ table, partition });
  }
  return dropped;
}
