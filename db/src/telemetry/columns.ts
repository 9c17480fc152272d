import type { RequestRow, WsRow } from '@downspin/protocol';
import { count, ms, text } from './clean.js';
import type { RowBinaryWriter } from './clickhouse/row-binary.js';
import type { ClientEventRow } from './types.js';

/*
 * THE definition of each telemetry row's shape: one table per kind, one
 * entry per stored column (ClickHouse name and type, its limit; the row's
 * field is the camelCase of the name). The sanitiser (rows.ts), the insert column list, the
 * RowBinary encoder and the decoder (clickhouse/columns.ts) are all made
 * from these tables; columns.test.ts checks them against the zod schemas in
 * protocol and against `DESCRIBE TABLE` of the migrated ClickHouse tables.
 * Adding a column today: one entry here, its field in protocol's zod row schema
 * (columns.test.ts fails until the two agree), plus a migration. Building the
 * zod schemas from these tables (in protocol) would make it one entry: not done yet.
 */

export type ColumnType =
  | 'String'
  | 'UInt16'
  | 'UInt64'
  | 'Float64'
  | 'Nullable(String)'
  | 'Nullable(UInt64)'
  | 'Nullable(Float64)';

export interface ColumnSpec {
  /** The ClickHouse column. */
  readonly name: string;
  readonly type: ColumnType;
  /** Strings: most UTF-16 units kept. Integers: the largest value kept. */
  readonly limit?: number;
  /** The row's field, when it is not the camelCase of `name`. */
  readonly field?: string;
  /** Client events: the event types that carry this column (others store NULL). Absent: every type. */
  readonly of?: readonly string[];
  /** Client events: present (as '' or 0) even when the row lacks it. */
  readonly required?: boolean;
}

/** A column ready to use: its value cleaner, its RowBinary writer and its reader for values ClickHouse returns. */
/** `Row` is the row type the table describes (checked against the zod schema by columns.test.ts). */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface Column<Row> extends ColumnSpec {
  readonly field: string;
  /** The value as every store keeps it (cut, clamped, never NaN); undefined stays undefined for Nullable columns. */
  readonly clean: (value: unknown) => unknown;
  /** Writes the cleaned value. */
  readonly write: (w: RowBinaryWriter, value: unknown) => void;
  /** A value from a JSON answer (UInt64 arrives as a string) back to the row's type. */
  readonly decode: (value: unknown) => unknown;
}

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
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

function table<Row>(specs: readonly ColumnSpec[]): ReadonlyArray<Column<Row>> {
  return specs.map((spec) => ({ ...spec, field: spec.field ?? camel(spec.name), ...codec(spec.type, spec.limit) }));
}

/** Fault and error kinds are short enums in protocol; stored rows may hold anything up to this. */
const KIND_LIMIT = 32;

export const REQUEST_SHAPE = table<RequestRow>([
  { name: 'ts', type: 'UInt64' },
  { name: 'session_hash', type: 'String', limit: 32 },
  { name: 'proxy_id', type: 'String', limit: 128 },
  { name: 'method', type: 'String', limit: 16 },
  { name: 'host', type: 'String', limit: 255 },
  { name: 'path', type: 'String', limit: 2048 },
  { name: 'route', type: 'String', limit: 2048 },
  { name: 'status', type: 'UInt16', limit: 999 },
  { name: 'upstream_ms', type: 'Float64' },
  { name: 'total_ms', type: 'Float64' },
  { name: 'injected_ms', type: 'Float64' },
  { name: 'bytes_in', type: 'UInt64' },
  { name: 'bytes_out', type: 'UInt64' },
  { name: 'shaping', type: 'String', limit: 512 },
  { name: 'shaping_version', type: 'UInt64' },
  { name: 'fault', type: 'String', limit: KIND_LIMIT },
  { name: 'error', type: 'String', limit: KIND_LIMIT },
  { name: 'country', type: 'String', limit: 8 },
]);

export const WEBSOCKET_SHAPE = table<WsRow>([
  { name: 'ts', type: 'UInt64' },
  { name: 'session_hash', type: 'String', limit: 32 },
  { name: 'proxy_id', type: 'String', limit: 128 },
  { name: 'host', type: 'String', limit: 255 },
  { name: 'path', type: 'String', limit: 2048 },
  { name: 'route', type: 'String', limit: 2048 },
  { name: 'duration_ms', type: 'Float64' },
  { name: 'messages_in', type: 'UInt64' },
  { name: 'messages_out', type: 'UInt64' },
  { name: 'bytes_in', type: 'UInt64' },
  { name: 'bytes_out', type: 'UInt64' },
  { name: 'close_code', type: 'UInt16', limit: 4999 },
  { name: 'injected_ms', type: 'Float64' },
  { name: 'shaping_version', type: 'UInt64' },
  { name: 'fault', type: 'String', limit: KIND_LIMIT },
  { name: 'error', type: 'String', limit: KIND_LIMIT },
  { name: 'country', type: 'String', limit: 8 },
]);

/** Fields only some event types carry are Nullable, so "absent" stays absent. */
export const CLIENT_EVENT_SHAPE = table<ClientEventRow>([
  { name: 'ts', type: 'UInt64' },
  { name: 'session_hash', type: 'String', limit: 32 },
  { name: 'type', type: 'String', limit: 16 },
  { name: 'url', type: 'String', limit: 2048 },
  { name: 'title', type: 'Nullable(String)', limit: 512, of: ['page_view'] },
  { name: 'referrer', type: 'Nullable(String)', limit: 2048, of: ['page_view'] },
  { name: 'target', type: 'Nullable(String)', limit: 256, of: ['click'], required: true },
  { name: 'text', type: 'Nullable(String)', limit: 256, of: ['click'] },
  { name: 'from_url', field: 'from', type: 'Nullable(String)', limit: 2048, of: ['navigation'] },
  { name: 'time_on_page_ms', type: 'Nullable(UInt64)', of: ['unload'], required: true },
  { name: 'ttfb_ms', type: 'Nullable(Float64)', of: ['timing'] },
  { name: 'dom_content_loaded_ms', type: 'Nullable(Float64)', of: ['timing'] },
  { name: 'load_ms', type: 'Nullable(Float64)', of: ['timing'] },
  { name: 'transfer_bytes', type: 'Nullable(UInt64)', of: ['timing'] },
]);

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
    // A switch, not a cleaner call per column: one call site with many targets costs more than the work.
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const value = values[field];
      switch (types[i]) {
        case 'String':
          out[field] = text(value, limits[i]!);
          break;
        case 'UInt16':
          out[field] = Math.min(count(value), limits[i]!, 0xffff);
          break;
        case 'UInt64':
          out[field] = count(value);
          break;
        case 'Float64':
          out[field] = ms(value);
          break;
        default:
          out[field] = columns[i]!.clean(value);
      }
    }
    return out as Row;
  };
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
      else if (column.required === true) out[column.field] = column.clean(column.type === 'Nullable(String)' ? '' : 0);
      else if (column.of === undefined) out[column.field] = column.clean(value);
    }
    return out as Row;
  };
}
