import { createClient } from '@clickhouse/client';
import { ClientEventSchema, RequestRowSchema, WsRowSchema } from '@downspin/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { BATCH_COLUMNS, CLIENT_EVENT_SHAPE, REQUEST_SHAPE, WEBSOCKET_SHAPE, type Column } from '../columns.js';
import { TABLES } from './columns.js';
import { ClickHouseTelemetryStore } from './store.js';

const url = inject('clickhouseUrl');
const runId = inject('runId');

const SHAPES = { requests: REQUEST_SHAPE, websockets: WEBSOCKET_SHAPE, client_events: CLIENT_EVENT_SHAPE } as const;

/** A string schema's max length (through optional), or undefined for anything else. */
function maxLength(schema: z.ZodType): number | undefined {
  const inner = (schema as unknown as { unwrap?: () => z.ZodType }).unwrap?.() ?? schema;
  const max = (inner as unknown as { maxLength?: number | null }).maxLength;
  return typeof max === 'number' ? max : undefined;
}

/** field → string limit, for the string fields of one object schema. */
function limits(shape: Record<string, z.ZodType>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(shape).flatMap(([field, schema]) => {
      const max = maxLength(schema);
      return max === undefined ? [] : [[field, max]];
    }),
  );
}

function tableLimits(columns: ReadonlyArray<Column<unknown>>, fields: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    columns.filter((c) => fields.includes(c.field) && c.type.includes('String')).map((c) => [c.field, c.limit!]),
  );
}

describe('telemetry column tables', () => {
  it('have exactly the fields and string limits of the protocol schemas', () => {
    for (const [schema, columns] of [
      [RequestRowSchema, REQUEST_SHAPE],
      [WsRowSchema, WEBSOCKET_SHAPE],
    ] as const) {
      const shape = schema.shape as Record<string, z.ZodType>;
      expect(columns.map((c) => c.field).sort()).toEqual(Object.keys(shape).sort());
      const stringLimits = limits(shape);
      expect(tableLimits(columns as ReadonlyArray<Column<unknown>>, Object.keys(stringLimits))).toEqual(stringLimits);
    }
  });

  it('give each client event type exactly the fields its schema defines', () => {
    for (const option of ClientEventSchema.options) {
      const shape = option.shape as Record<string, z.ZodType>;
      const type = (option.shape.type as unknown as { value: string }).value;
      const carried = CLIENT_EVENT_SHAPE.filter((c) => c.of === undefined || c.of.includes(type));
      // sessionHash is the store's, not the extension's.
      expect(carried.map((c) => c.field).sort()).toEqual([...Object.keys(shape), 'sessionHash'].sort());
      const stringLimits = limits(shape);
      expect(tableLimits(carried as ReadonlyArray<Column<unknown>>, Object.keys(stringLimits))).toEqual(stringLimits);
      // A field the type may omit is not required, and one it must carry is.
      for (const column of carried.filter((c) => c.of !== undefined)) {
        expect(column.required === true, `${type}.${column.field}`).toBe(!shape[column.field]!.safeParse(undefined).success);
      }
    }
  });
});

describe('telemetry column tables against ClickHouse', () => {
  const database = `downspin_test_${runId}_columns`;
  afterAll(async () => {
    const admin = createClient({ url });
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await admin.close();
  });

  it('match DESCRIBE TABLE of every migrated table, column for column, in insert order', async () => {
    const store = new ClickHouseTelemetryStore({ url, database });
    await store.start();
    await store.close();
    const client = createClient({ url, database });
    try {
      for (const [kind, columns] of Object.entries(SHAPES) as Array<[keyof typeof SHAPES, ReadonlyArray<Column<unknown>>]>) {
        const result = await client.query({ query: `DESCRIBE TABLE ${TABLES[kind]}`, format: 'JSONEachRow' });
        const described = (await result.json<{ name: string; type: string }>()).map(({ name, type }) => ({ name, type }));
        const expected = [...columns.map(({ name, type }) => ({ name, type })), ...BATCH_COLUMNS];
        expect(described, TABLES[kind]).toEqual(expected);
      }
    } finally {
      await client.close();
    }
  });
});
