import { existsSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startClickHouse, type ClickHouseServer } from './clickhouse-server.js';
import type {} from './provided.js'; // the keys inject() reads

async function sql(url: string, query: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', body: query });
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  return text.trim();
}

describe('startClickHouse', () => {
  let server: ClickHouseServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('starts a server that answers queries, keeps data across a crash and restart, and removes it on stop', async () => {
    server = await startClickHouse();
    expect(server.httpPort).not.toBe(server.tcpPort);
    await sql(server.url, 'CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n');
    await sql(server.url, 'INSERT INTO kept VALUES (1), (2), (3)');

    await server.restart({ signal: 'SIGKILL', downMs: 200 });
    expect(await sql(server.url, 'SELECT sum(n) FROM kept')).toBe('6');

    const dir = server.dir;
    await server.stop();
    server = undefined;
    expect(existsSync(dir)).toBe(false);
  });

  it('is provided to tests by the global setup, in a non-UTC time zone', async () => {
    const url = inject('clickhouseUrl');
    expect(await sql(url, 'SELECT timezone()')).toBe('Asia/Kathmandu');
  });
});
