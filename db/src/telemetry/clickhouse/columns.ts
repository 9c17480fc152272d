import { CLIENT_EVENT_TYPES, type RequestRow, type WsRow } from '@downspin/protocol';
import { CLIENT_EVENT_SHAPE, REQUEST_SHAPE, WEBSOCKET_SHAPE, type Column } from '../columns.js';
import { sanitizeClientEvent } from '../rows.js';
import type { ClientEventRow, TelemetryKind } from '../types.js';
import type { RowBinaryWriter } from './row-binary.js';

/*
 * Row shapes as ClickHouse holds them, made from the column tables in
 * ../columns.ts: the SELECT and INSERT column lists, the RowBinary encoder
 * (in the INSERT's column order; rows never travel inside SQL text) and the
 * decoder for JSON answers (UInt64 columns arrive as strings).
 */

export const TABLES: Record<TelemetryKind, string> = {
  requests: 'requests',
  websockets: 'ws_connections',
  client_events: 'client_events',
};

const names = (columns: ReadonlyArray<{ name: string }>): string => columns.map((column) => column.name).join(', ');

/** The row columns, for SELECTs. */
export const REQUEST_COLUMNS = names(REQUEST_SHAPE);
export const WS_COLUMNS = names(WEBSOCKET_SHAPE);
export const CLIENT_EVENT_COLUMNS = names(CLIENT_EVENT_SHAPE);

/** The columns an insert names: the row's, then (batch_id, batch_seq), in the order the encoders write them. */
export const INSERT_COLUMNS: Record<TelemetryKind, string> = {
  requests: `${REQUEST_COLUMNS}, batch_id, batch_seq`,
  websockets: `${WS_COLUMNS}, batch_id, batch_seq`,
  client_events: `${CLIENT_EVENT_COLUMNS}, batch_id, batch_seq`,
};

type Encoder<Row> = (w: RowBinaryWriter, row: Row, batchId: string, seq: number) => void;

/** Writes a row's columns, cleaned on the way (no cleaned copy of the row is made), then its batch columns. */
function encoder<Row>(columns: ReadonlyArray<Column<Row>>): Encoder<Row> {
  return (w, row, batchId, seq) => {
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      column.write(w, column.get(row));
    }
    w.string(batchId);
    w.uint32(seq);
  };
}

/** As encoder(), with NULL in the columns the event's type does not carry. */
function eventEncoder(columns: ReadonlyArray<Column<ClientEventRow>>): Encoder<ClientEventRow> {
  return (w, row, batchId, seq) => {
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      column.write(w, column.of === undefined || column.of.includes(row.type) ? column.get(row) : undefined);
    }
    w.string(batchId);
    w.uint32(seq);
  };
}

function decoder<Row>(columns: ReadonlyArray<Column<Row>>): (r: Record<string, unknown>) => Row {
  return (r) => {
    const row: Record<string, unknown> = {};
    for (const column of columns) row[column.field] = column.decode(r[column.name]);
    return row as Row;
  };
}

export const writeRequest: Encoder<RequestRow> = encoder(REQUEST_SHAPE);
export const decodeRequest = decoder(REQUEST_SHAPE);

export const writeWebSocket: Encoder<WsRow> = encoder(WEBSOCKET_SHAPE);
export const decodeWebSocket = decoder(WEBSOCKET_SHAPE);

export const writeClientEvent = eventEncoder(CLIENT_EVENT_SHAPE as ReadonlyArray<Column<ClientEventRow>>);
const decodeEventColumns = decoder(CLIENT_EVENT_SHAPE);
const EVENT_TYPES: ReadonlySet<string> = new Set(CLIENT_EVENT_TYPES);

/** Rebuilds the event from its columns; a stored row of an unknown type is returned as a navigation. */
export function decodeClientEvent(r: Record<string, unknown>): ClientEventRow {
  const event = decodeEventColumns(r) as Record<string, unknown>;
  if (!EVENT_TYPES.has(String(event.type))) event.type = 'navigation';
  // The sanitizer keeps the type's fields only and drops absent optional ones: the shape the memory store keeps.
  return sanitizeClientEvent(event as ClientEventRow);
}
