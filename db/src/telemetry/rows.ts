import type { RequestRow, WsRow } from '@downspin/protocol';
import { CLIENT_EVENT_SHAPE, sanitizer, WEBSOCKET_SHAPE } from './columns.js';
import type { ClientEventRow } from './types.js';

export { count, ms, text } from './clean.js';

/*
 * Both stores store rows through these, so a hostile or broken row (huge
 * strings, lone surrogates, NaN) is stored the same, safe way everywhere and
 * can never make ClickHouse reject a whole batch. The fields and limits are
 * the column tables' (columns.ts). Request rows, the many, are cleaned as
 * they are stored, by the same rules (cleanAs): in the memory store by
 * ColumnRing.keep, in ClickHouse by the RowBinary encoder.
 */

export const sanitizeWebSocket: (row: WsRow) => WsRow = sanitizer(WEBSOCKET_SHAPE);

/** Keeps exactly the fields the event's type defines; absent optional fields stay absent. */
export const sanitizeClientEvent = sanitizer(CLIENT_EVENT_SHAPE) as (row: ClientEventRow) => ClientEventRow;

/** An error: a 5xx, no response at all (status 0), or an error kind. Same rule as the ClickHouse rollup. */
export function isError(row: Pick<RequestRow, 'status' | 'error'>): boolean {
  return row.status >= 500 || row.status === 0 || row.error !== '';
}
