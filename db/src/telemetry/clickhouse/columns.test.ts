import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { REQUEST_ROW_COLUMNS, rowSchema, textColumn, type RequestRow } from '@downspin/protocol';
import { afterAll, describe, expect, expectTypeOf, inject, it } from 'vitest';
import type { z } from 'zod';
import { BATCH_COLUMNS, CLIENT_EVENT_SHAPE, REQUEST_SHAPE, sanitizer, storedColumns, WEBSOCKET_SHAPE } from '../columns.js';
import { decoder, encoder, insertList, selectList, TABLES } from './columns.js';
import { applyClickHouseMigrations, CLICKHOUSE_MIGRATIONS_DIR } from './migrations.js';
import { RowBinaryWriter } from './row-binary.js';

/*
 * The column tables (protocol/src/telemetry.ts) are the one definition of a
 * row; the zod schemas, sanitiser, insert list, encoder and decoder are made
 * from them, so they cannot disagree with each other. What can disagree is
 * the table and the migrated ClickHouse table: that is checked here.
 */

const url = inject('clickhouseUrl');
const runId = inject('runId');

const SHAPES = { requests: REQUEST_SHAPE, websockets: WEBSOCKET_SHAPE, client_events: CLIENT_EVENT_SHAPE } as const;

/**
 * How a column table and `DESCRIBE TABLE` disagree, one line per column, none
 * when they agree. Order is not compared: inserts and selects name their columns.
 */
async function disagreement(client: ClickHouseClient, table: string, columns: ReadonlyArray<{ name: string; type: string }>): Promise<string[]> {
  const result = await client.query({ query: `DESCRIBE TABLE ${table}`, format: 'JSONEachRow' });
  const described = new Map((await result.json<{ name: string; type: string }>()).map(({ name, type }) => [name, type]));
  const expected = new Map([...columns, ...BATCH_COLUMNS].map(({ name, type }) => [name, type]));
  const out: string[] = [];
  for (const [name, type] of expected) {
    const actual = described.get(name);
    if (actual === undefined) out.push(`${table}.${name} ${type}: in the column table, not in ClickHouse`);
    else if (actual !== type) out.push(`${table}.${name}: ${type} in the column table, ${actual} in ClickHouse`);
  }
  for (const [name, type] of described) if (!expected.has(name)) out.push(`${table}.${name} ${type}: in ClickHouse, not in the column table`);
  return out;
}

async function migratedDatabase(name: string, dir?: string): Promise<ClickHouseClient> {
  const admin = createClient({ url });
  await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${name}` });
  await admin.close();
  const client = createClient({ url, database: name });
  await applyClickHouseMigrations(client, { dir });
  return client;
}

const databases: string[] = [];
afterAll(async () => {
  const admin = createClient({ url });
  for (const database of databases) await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await admin.close();
});

describe('telemetry column tables against ClickHouse', () => {
  it('match DESCRIBE TABLE of every migrated table, column for column', async () => {
    const database = `downspin_test_${runId}_columns`;
    databases.push(database);
    const client = await migratedDatabase(database);
    try {
      for (const [kind, columns] of Object.entries(SHAPES) as Array<[keyof typeof SHAPES, ReadonlyArray<{ name: string; type: string }>]>) {
        expect(await disagreement(client, TABLES[kind], columns)).toEqual([]);
      }
    } finally {
      await client.close();
    }
  });
});

const request: RequestRow = {
  ts: 1_765_000_000_000,
  sessionHash: 'a1b2c3d4e5f6',
  proxyId: 'p1',
  method: 'GET',
  host: 'app.test',
  path: '/items',
  route: '/items',
  status: 200,
  upstreamMs: 12.5,
  totalMs: 20.25,
  injectedMs: 7,
  bytesIn: 10,
  bytesOut: 2048,
  shaping: 'latency 7ms',
  shapingVersion: 3,
  fault: '',
  error: '',
  country: 'LO',
};

const ADD_USER_AGENT = '-- The browser that sent the request.\nALTER TABLE requests ADD COLUMN user_agent String;\n';

describe('adding a telemetry column (db/README.md, "Telemetry rows: adding a column")', () => {
  it('is one table entry plus one migration: schema, type, sanitiser, insert, encoder and decoder follow', async () => {
    // Step 1, the entry (here appended to a copy of the request table; the real one is in protocol).
    const table = [...REQUEST_ROW_COLUMNS, textColumn('userAgent', 256)] as const;
    const schema = rowSchema(table);
    type Row = z.output<typeof schema>;
    expectTypeOf<Omit<Row, 'userAgent'>>().toEqualTypeOf<RequestRow>();
    expectTypeOf<Row['userAgent']>().toEqualTypeOf<string>();
    const columns = storedColumns<Row>(table);

    const database = `downspin_test_${runId}_add_column`;
    databases.push(database);
    const dir = await mkdtemp(path.join(tmpdir(), 'downspin-migrations-'));
    await cp(CLICKHOUSE_MIGRATIONS_DIR, dir, { recursive: true });
    const client = await migratedDatabase(database, dir);
    try {
      // Without its migration, the table check names the column.
      expect(await disagreement(client, 'requests', columns)).toEqual(['requests.user_agent String: in the column table, not in ClickHouse']);

      // Step 2, the migration.
      await writeFile(path.join(dir, '005_requests_user_agent.sql'), ADD_USER_AGENT);
      expect(await applyClickHouseMigrations(client, { dir })).toEqual(['005_requests_user_agent.sql']);
      expect(await disagreement(client, 'requests', columns)).toEqual([]);

      // The rest follows from the entry: the boundary refuses what is past its limit, the sanitiser cuts it,
      // the insert stores it and the decoder reads it back.
      const row = { ...request, userAgent: `Mozilla/5.0 ${'x'.repeat(300)}` };
      expect(schema.safeParse(row).success).toBe(false);
      expect(schema.parse({ ...row, userAgent: 'Mozilla/5.0' })).toEqual({ ...row, userAgent: 'Mozilla/5.0' });
      const clean = sanitizer(columns)(row);
      expect(clean.userAgent).toBe(row.userAgent.slice(0, 256));

      const w = new RowBinaryWriter();
      encoder(columns)(w, row, 'batch-1', 0);
      const inserted = await client.exec({ query: `INSERT INTO requests (${insertList(columns)}) FORMAT RowBinary`, values: Readable.from(w.end()) });
      for await (const _ of inserted.stream) void _;
      const result = await client.query({ query: `SELECT ${selectList(columns)} FROM requests`, format: 'JSONEachRow' });
      expect((await result.json<Record<string, unknown>>()).map(decoder(columns))).toEqual([clean]);
    } finally {
      await client.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts a migration adding a column that is already there (a run cut short, or two at once) as applied', async () => {
    const database = `downspin_test_${runId}_add_column_again`;
    databases.push(database);
    const dir = await mkdtemp(path.join(tmpdir(), 'downspin-migrations-'));
    await cp(CLICKHOUSE_MIGRATIONS_DIR, dir, { recursive: true });
    const client = await migratedDatabase(database, dir);
    try {
      // The ALTER ran, then the process died before recording it: 18.16 has no ADD COLUMN IF NOT EXISTS.
      await client.command({ query: 'ALTER TABLE requests ADD COLUMN user_agent String' });
      await writeFile(path.join(dir, '005_requests_user_agent.sql'), ADD_USER_AGENT);
      expect(await applyClickHouseMigrations(client, { dir })).toEqual(['005_requests_user_agent.sql']);
      expect(await applyClickHouseMigrations(client, { dir })).toEqual([]);
      // Any other failure still stops the migration.
      await writeFile(path.join(dir, '006_broken.sql'), 'ALTER TABLE requests ADD COLUMN referer NoSuchType;\n');
      await expect(applyClickHouseMigrations(client, { dir })).rejects.toThrow(/NoSuchType/);
      await expect(applyClickHouseMigrations(client, { dir })).rejects.toThrow(/NoSuchType/);
    } finally {
      await client.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
