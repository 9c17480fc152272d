import { z } from 'zod';

/*
 * The vocabulary of telemetry column tables (telemetry.ts holds the tables).
 * A table is THE definition of a row kind: each entry names the row's field,
 * the ClickHouse column and type, the limit a store keeps, and the zod schema
 * of the field. The zod row schemas and the static row types are derived from
 * the table here; @downspin/db derives its sanitiser, insert column list,
 * RowBinary encoder and decoder from the same entries. So adding a column is
 * one entry plus a ClickHouse migration (db/README.md, "Telemetry rows: adding a column").
 * Plain data and zod only: no store code lives here, so the extension and the
 * dashboard can import the schemas without pulling in a database client.
 */

/** The ClickHouse types a telemetry column may have (db encodes each one). */
export type ColumnType = 'String' | 'UInt16' | 'UInt64' | 'Float64' | 'Nullable(String)' | 'Nullable(UInt64)' | 'Nullable(Float64)';

export interface TelemetryColumn<Field extends string = string, Schema extends z.ZodType = z.ZodType> {
  /** The row's field. */
  readonly field: Field;
  /** The ClickHouse column: the snake_case of `field` unless given. */
  readonly name: string;
  readonly type: ColumnType;
  /** Strings: most UTF-16 units a store keeps. UInt16: the largest value kept. Else undefined. */
  readonly limit: number | undefined;
  /** What the field accepts at the boundary. */
  readonly schema: Schema;
  /** Client events: the event types that carry this column (the others store NULL). Undefined: every type. */
  readonly of: readonly string[] | undefined;
  /** Client events: every type in `of` carries it (a store fills '' or 0 if a row lacks it). */
  readonly required: boolean;
  /** Filled in by the store (whose session sent the event), not part of what the client sends. */
  readonly storeOnly: boolean;
}

type Built<Field extends string, Schema extends z.ZodType> = TelemetryColumn<Field, Schema> & {
  readonly of: undefined;
  readonly storeOnly: false;
};

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function column<const Field extends string, Schema extends z.ZodType>(
  field: Field,
  type: ColumnType,
  limit: number | undefined,
  schema: Schema,
  name = snake(field),
): Built<Field, Schema> {
  return { field, name, type, limit, schema, of: undefined, required: true, storeOnly: false };
}

/** A string of at most `limit` UTF-16 units (longer ones are refused at the boundary, cut by a store). */
export const textColumn = <const Field extends string>(field: Field, limit: number, name?: string) =>
  column(field, 'String', limit, z.string().max(limit), name);

/** One of `values`, stored as a String of at most `limit` units (a store keeps an older or newer value as text). */
export const enumColumn = <const Field extends string, const Values extends readonly [string, ...string[]]>(
  field: Field,
  values: Values,
  limit: number,
) => column(field, 'String', limit, z.enum(values));

/** A non-negative integer up to Number.MAX_SAFE_INTEGER (epoch ms, bytes, counts). */
export const countColumn = <const Field extends string>(field: Field, name?: string) =>
  column(field, 'UInt64', undefined, z.number().int().nonnegative(), name);

/** An integer from 0 to `max` (at most 65535). */
export const smallIntColumn = <const Field extends string>(field: Field, max: number) =>
  column(field, 'UInt16', Math.min(max, 0xffff), z.number().int().min(0).max(max));

/** A non-negative number (durations in ms). */
export const msColumn = <const Field extends string>(field: Field, name?: string) =>
  column(field, 'Float64', undefined, z.number().nonnegative(), name);

/**
 * Client events: a column only the event types in `of` carry, Nullable in
 * ClickHouse so "absent" stays absent. Optional unless `required`.
 */
export function carriedBy<const Of extends readonly [string, ...string[]], C extends TelemetryColumn>(
  of: Of,
  base: C,
): Omit<C, 'schema' | 'of' | 'required'> & { readonly schema: z.ZodOptional<C['schema']>; readonly of: Of; readonly required: false };
export function carriedBy<const Of extends readonly [string, ...string[]], C extends TelemetryColumn>(
  of: Of,
  base: C,
  required: 'required',
): Omit<C, 'of'> & { readonly of: Of; readonly required: true };
export function carriedBy(of: readonly string[], base: TelemetryColumn, required?: 'required'): unknown {
  // ClickHouse has Nullable of these only, as far as a store needs (db encodes each ColumnType).
  if (base.type !== 'String' && base.type !== 'UInt64' && base.type !== 'Float64') throw new Error(`no Nullable(${base.type}) column`);
  const type = `Nullable(${base.type})` as ColumnType;
  const carried: TelemetryColumn =
    required === undefined ? { ...base, type, of, required: false, schema: base.schema.optional() } : { ...base, type, of, required: true };
  return carried;
}

/** Client events: a column the store fills in (not sent by the client). */
export const storeOnly = <C extends TelemetryColumn>(base: C): Omit<C, 'storeOnly'> & { readonly storeOnly: true } => ({
  ...base,
  storeOnly: true,
});

type Columns = readonly TelemetryColumn[];

/** The zod shape of a table: field → schema. */
export type RowShape<Table extends Columns> = { [C in Table[number] as C['field']]: C['schema'] };

/** The row schema of a fixed-shape table (every column present in every row). */
export function rowSchema<const Table extends Columns>(table: Table): z.ZodObject<RowShape<Table>, z.core.$strip> {
  const shape = Object.fromEntries(table.map((c) => [c.field, c.schema])) as RowShape<Table>;
  return z.object(shape) as z.ZodObject<RowShape<Table>, z.core.$strip>;
}

/**
 * Who holds the event: the client sending it (strict, without store-only
 * columns) or a store returning it (with them; unknown fields stripped).
 */
export type EventHolder = 'client' | 'store';

/** Whether a client event of type `Type`, as `Holder` holds it, carries column `C`. */
type Carries<C extends TelemetryColumn, Type extends string, Holder extends EventHolder> = Holder extends 'client'
  ? C['storeOnly'] extends true
    ? false
    : CarriedByType<C, Type>
  : CarriedByType<C, Type>;
type CarriedByType<C extends TelemetryColumn, Type extends string> = C['of'] extends readonly string[]
  ? Type extends C['of'][number]
    ? true
    : false
  : true;

/** One event type's shape: its discriminator as a literal, then the columns it carries. */
export type EventShape<Table extends Columns, Key extends string, Type extends string, Holder extends EventHolder = 'client'> = {
  [C in Table[number] as Carries<C, Type, Holder> extends true ? C['field'] : never]: C['field'] extends Key ? z.ZodLiteral<Type> : C['schema'];
};

type EventOption<Table extends Columns, Key extends string, Types extends readonly string[], Holder extends EventHolder> = {
  [Type in Types[number]]: z.ZodObject<EventShape<Table, Key, Type, Holder>, Holder extends 'client' ? z.core.$strict : z.core.$strip>;
}[Types[number]];

/**
 * The schema of events whose fields depend on the discriminator `key`: one
 * object per type in `types`, with the table's columns that type carries.
 * For the client (default), strict and without store-only columns; for a
 * store, with them.
 */
export function eventSchema<
  const Table extends Columns,
  const Key extends string,
  const Types extends readonly [string, ...string[]],
  Holder extends EventHolder = 'client',
>(table: Table, key: Key, types: Types, holder?: Holder): z.ZodDiscriminatedUnion<Array<EventOption<Table, Key, Types, Holder>>, Key> {
  const byClient = holder === undefined || holder === 'client';
  // A misspelt type in `carriedBy` would leave its column carried by no event: refuse the table instead.
  for (const c of table) {
    const unknown = c.of?.find((type) => !types.includes(type));
    if (unknown !== undefined) throw new Error(`column ${c.name} is carried by unknown event type ${unknown}`);
  }
  const options = types.map((type) => {
    const shape: Record<string, z.ZodType> = {};
    for (const c of table) {
      if ((byClient && c.storeOnly) || (c.of !== undefined && !c.of.includes(type))) continue;
      shape[c.field] = c.field === key ? z.literal(type) : c.schema;
    }
    return byClient ? z.strictObject(shape) : z.object(shape);
  });
  return z.discriminatedUnion(key, options as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodDiscriminatedUnion<
    Array<EventOption<Table, Key, Types, Holder>>,
    Key
  >;
}
