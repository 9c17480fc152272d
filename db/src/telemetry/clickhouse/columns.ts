import { CLIENT_EVENT_TYPES, type ColumnType } from '@downspin/protocol';
import { count, ms, text } from '../clean.js';
import { BATCH_COLUMNS, CLIENT_EVENT_SHAPE, REQUEST_SHAPE, WEBSOCKET_SHAPE, type Column } from '../columns.js';
import { sanitizeClientEvent } from '../rows.js';
import type { ClientEventRow, TelemetryKind } from '../types.js';
import type { RowBinaryWriter } from './row-binary.js';

/*
 * Row shapes as ClickHouse holds them, made from the column tables (protocol's,
 * with codecs in ../columns.ts): the SELECT and INSERT column lists, the
 * RowBinary encoder (in the INSERT's column order; rows never travel inside
 * SQL text) and the decoder for JSON answers (UInt64 columns arrive as strings).
 * Each is a function of a column list, so any table (a new one, or one with a
 * column added) gets all four with no code here.
 */

export const TABLES: Record<TelemetryKind, string> = {
  requests: 'requests',
  websockets: 'ws_connections',
  client_events: 'client_events',
};

/** The row's columns, for SELECTs. */
export const selectList = (columns: ReadonlyArray<{ name: string }>): string => columns.map((column) => column.name).join(', ');

/** The columns an insert names: the row's, then (batch_id, batch_seq), in the order the encoders write them. */
export const insertList = (columns: ReadonlyArray<{ name: string }>): string => selectList([...columns, ...BATCH_COLUMNS]);

export const REQUEST_COLUMNS = selectList(REQUEST_SHAPE);
export const WS_COLUMNS = selectList(WEBSOCKET_SHAPE);
export const CLIENT_EVENT_COLUMNS = selectList(CLIENT_EVENT_SHAPE);

export const INSERT_COLUMNS: Record<TelemetryKind, string> = {
  requests: insertList(REQUEST_SHAPE),
  websockets: insertList(WEBSOCKET_SHAPE),
  client_events: insertList(CLIENT_EVENT_SHAPE),
};

export type Encoder<Row> = (w: RowBinaryWriter, row: Row, batchId: string, seq: number) => void;

const enum Wire {
  String,
  UInt16,
  UInt64,
  Float64,
}
const WIRE: Partial<Record<ColumnType, Wire>> = {
  String: Wire.String,
  UInt16: Wire.UInt16,
  UInt64: Wire.UInt64,
  Float64: Wire.Float64,
};

/**
 * Writes a row's columns, cleaned on the way (no cleaned copy of the row is
 * made), then its batch columns. The hot loop switches on the column's wire
 * type and calls the writer directly, reading each field by name: measured
 * as cheap per row as the hand-written encoders (a getter function per column
 * made each row ~10% dearer: one call site, 18 different targets).
 */
export function encoder<Row>(columns: ReadonlyArray<Column<Row>>): Encoder<Row> {
  if (columns.some((column) => column.of !== undefined)) return eventEncoder(columns);
  const wires = columns.map((column) => {
    const wire = WIRE[column.type];
    if (wire === undefined) throw new Error(`no fast path for ${column.type}`);
    return wire;
  });
  const limits = columns.map((column) => column.limit ?? Number.MAX_SAFE_INTEGER);
  const fields = columns.map((column) => column.field);
  return (w, row, batchId, seq) => {
    const values = row as Record<string, unknown>;
    for (let i = 0; i < fields.length; i++) {
      const value = values[fields[i]!];
      switch (wires[i]) {
        case Wire.String:
          // Cleaning an ASCII string within its limit changes nothing.
          if (typeof value !== 'string' || value.length > limits[i]! || !w.ascii(value)) w.string(text(value, limits[i]!));
          break;
        case Wire.UInt16:
          w.uint16(Math.min(count(value), limits[i]!, 0xffff));
          break;
        case Wire.UInt64:
          w.uint64(count(value));
          break;
        case Wire.Float64:
          w.float64(ms(value));
          break;
      }
    }
    if (!w.ascii(batchId)) w.string(batchId);
    w.uint32(seq);
  };
}

/** As encoder() (which picks it for tables with type-specific columns), with NULL in the columns the event's type does not carry. */
function eventEncoder<Row>(columns: ReadonlyArray<Column<Row>>): Encoder<Row> {
  return (w, row, batchId, seq) => {
    const values = row as Record<string, unknown>;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const carried = column.of === undefined || column.of.includes(values.type as string);
      column.write(w, carried ? values[column.field] : undefined);
    }
    w.string(batchId);
    w.uint32(seq);
  };
}

export function decoder<Row>(columns: ReadonlyArray<Column<Row>>): (r: Record<string, unknown>) => Row {
  return (r) => {
    const row: Record<string, unknown> = {};
    for (const column of columns) row[column.field] = column.decode(r[column.name]);
    return row as Row;
  };
}

export const writeRequest = encoder(REQUEST_SHAPE);
export const decodeRequest = decoder(REQUEST_SHAPE);

export const writeWebSocket = encoder(WEBSOCKET_SHAPE);
export const decodeWebSocket = decoder(WEBSOCKET_SHAPE);

export const writeClientEvent = encoder(CLIENT_EVENT_SHAPE);
const decodeEventColumns = decoder(CLIENT_EVENT_SHAPE);
const EVENT_TYPES: ReadonlySet<string> = new Set(CLIENT_EVENT_TYPES);

/** Rebuilds the event from its columns; a stored row of an unknown type is returned as a navigation. */
export function decodeClientEvent(r: Record<string, unknown>): ClientEventRow {
  const event = decodeEventColumns(r) as Record<string, unknown>;
  if (!EVENT_TYPES.has(String(event.type))) event.type = 'navigation';
  // The sanitizer keeps the type's fields only and drops absent optional ones: the shape the memory store keeps.
  return sanitizeClientEvent(event as ClientEventRow);
}
