import {
  CLIENT_EVENT_ROW_COLUMNS,
  REQUEST_ROW_COLUMNS,
  WS_ROW_COLUMNS,
  type ColumnType,
  type RequestRow,
  type TelemetryColumn,
  type WsRow,
} from '@downspin/protocol';
import { count, ms, text } from './clean.js';
import type { RowBinaryWriter } from './clickhouse/row-binary.js';
import type { ClientEventRow } from './types.js';

/*
 * The column tables (protocol/src/telemetry.ts) are THE definition of each
 * telemetry row: field, ClickHouse column and type, limit, zod schema. Here
 * each entry gets what a store needs to keep its value: a cleaner, a RowBinary
 * writer and a reader. The sanitiser (rows.ts), the insert column list, the
 * encoder and the decoder (clickhouse/columns.ts) are made from these, so
 * adding a column is one table entry plus a migration (db/README.md).
 */

/**
 * A column ready to use: its value cleaner, its RowBinary writer and its
 * reader for values ClickHouse returns. `Row` is the row type of the table
 * it came from (it only ties a column list to its row type).
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface Column<Row> extends TelemetryColumn {
  /** The value as every store keeps it (cut, clamped, never NaN); undefined stays undefined for Nullable columns. */
  readonly clean: (value: unknown) => unknown;
  /** Writes the cleaned value. */
  readonly write: (w: RowBinaryWriter, value: unknown) => void;
  /** A value from a JSON answer (UInt64 arrives as a string) back to the row's type. */
  readonly decode: (value: unknown) => unknown;
}

const maybe = (value: unknown): unknown => (value === null ? undefined : value);

/* Codecs by type; each returns closures fixed to one column's limit. */
function codec(type: ColumnType, limit: number | undefined): Pick<Column<unknown>, 'clean' | 'write' | 'decode'> {
  switch (type) {
    case 'String': {
      const max = limit ?? Number.MAX_SAFE_INTEGER;
      return { clean: (v) => text(v, max), write: (w, v) => w.string(text(v, max)), decode: (v) => String(v) };
    }
    case 'UInt16': {
      const max = Math.min(limit ?? 0xffff, 0xffff);
      const clean = (v: unknown): number => Math.min(count(v), max);
      return { clean, write: (w, v) => w.uint16(clean(v)), decode: (v) => Number(v) };
    }
    case 'UInt64':
      return { clean: count, write: (w, v) => w.uint64(count(v)), decode: (v) => Number(v) };
    case 'Float64':
      return { clean: ms, write: (w, v) => w.float64(ms(v)), decode: (v) => Number(v) };
    case 'Nullable(String)': {
      const max = limit ?? Number.MAX_SAFE_INTEGER;
      return {
        clean: (v) => (v === undefined ? undefined : text(v, max)),
        write: (w, v) => w.nullableString(v === undefined || v === null ? undefined : text(v, max)),
        decode: (v) => (v === null || v === undefined ? undefined : String(v)),
      };
    }
    case 'Nullable(UInt64)':
      return {
        clean: (v) => (v === undefined ? undefined : count(v)),
        write: (w, v) => w.nullableUint64(v === undefined || v === null ? undefined : count(v)),
        decode: (v) => (maybe(v) === undefined ? undefined : Number(v)),
      };
    case 'Nullable(Float64)':
      return {
        clean: (v) => (v === undefined ? undefined : ms(v)),
        write: (w, v) => w.nullableFloat64(v === undefined || v === null ? undefined : ms(v)),
        decode: (v) => (maybe(v) === undefined ? undefined : Number(v)),
      };
  }
}

/** A protocol column table with each column's codec. */
export function storedColumns<Row>(table: readonly TelemetryColumn[]): ReadonlyArray<Column<Row>> {
  return table.map((column) => ({ ...column, ...codec(column.type, column.limit) }));
}

export const REQUEST_SHAPE = storedColumns<RequestRow>(REQUEST_ROW_COLUMNS);
export const WEBSOCKET_SHAPE = storedColumns<WsRow>(WS_ROW_COLUMNS);
export const CLIENT_EVENT_SHAPE = storedColumns<ClientEventRow>(CLIENT_EVENT_ROW_COLUMNS);

/** The columns every table ends with: which insert batch a row came in, and its place in it (exactly-once retries). */
export const BATCH_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: 'batch_id', type: 'String' },
  { name: 'batch_seq', type: 'UInt32' },
];

/**
 * A row with every column's value cleaned, as a fresh object with exactly
 * the table's fields. Client events keep only the fields their type has,
 * and leave absent optional ones absent.
 */
export function sanitizer<Row>(columns: ReadonlyArray<Column<Row>>): (row: Row) => Row {
  if (columns.some((column) => column.of !== undefined)) return eventSanitizer(columns);
  // Every field always present: copy a template with the fields in table order (one hidden class,
  // no property added one by one), then overwrite each with its cleaned value.
  const template: Record<string, unknown> = {};
  for (const column of columns) template[column.field] = column.clean(undefined);
  const fields = columns.map((column) => column.field);
  const types = columns.map((column) => column.type);
  const limits = columns.map((column) => column.limit ?? Number.MAX_SAFE_INTEGER);
  return (row) => {
    const out = { ...template };
    const values = row as Record<string, unknown>;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      out[field] = cleanAs(columns[i]!, types[i]!, limits[i]!, values[field]);
    }
    return out as Row;
  };
}

/**
 * A value cleaned by its column's rules: `column.clean`, with the common
 * types switched on here. A switch, not a cleaner call per column: one call
 * site with many targets costs more than the work. The sanitiser and the
 * memory store's ColumnRing.keep clean through it; the RowBinary encoder
 * (clickhouse/columns.ts) applies the same rules as it writes each value.
 */
export function cleanAs(column: Column<unknown>, type: ColumnType, limit: number, value: unknown): unknown {
  switch (type) {
    case 'String':
      return text(value, limit);
    case 'UInt16':
      return Math.min(count(value), limit, 0xffff);
    case 'UInt64':
      return count(value);
    case 'Float64':
      return ms(value);
    default:
      return column.clean(value);
  }
}

/** Client events: only the fields the event's type has; absent optional ones stay absent. */
function eventSanitizer<Row>(columns: ReadonlyArray<Column<Row>>): (row: Row) => Row {
  return (row) => {
    const out: Record<string, unknown> = {};
    const values = row as Record<string, unknown>;
    for (const column of columns) {
      if (column.of !== undefined && !column.of.includes(values.type as string)) continue;
      const value = values[column.field];
      if (value !== undefined) out[column.field] = column.clean(value);
      else if (column.of === undefined) out[column.field] = column.clean(value);
      else if (column.required) out[column.field] = column.clean(column.type === 'Nullable(String)' ? '' : 0);
    }
    return out as Row;
  };
}
