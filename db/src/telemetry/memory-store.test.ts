import { describe, expect, it } from 'vitest';
import { request, T0 } from './contract-fixtures.js';
import { MemoryTelemetryStore, SCAN_CHUNK } from './memory-store.js';
import { estimateRowBytes } from './row-bytes.js';
import type { ClientEventRow } from './types.js';
import { describeTelemetryStoreContract } from './store-contract.js';

describeTelemetryStoreContract('memory', async () => new MemoryTelemetryStore());

describe('MemoryTelemetryStore', () => {
  it('keeps only the newest rows up to its capacity and counts what it evicts', async () => {
    const store = new MemoryTelemetryStore({ capacity: 3 });
    const rows = [1, 2, 3, 4, 5].map((i) => request({ ts: T0 + i, sessionHash: 'aaaaaaaaaaaa', path: `/${i}`, route: `/${i}` }));
    await store.insert({ kind: 'requests', id: 'b1', rows });
    expect(store.evicted).toBe(2);
    expect(store.size.requests).toBe(3);
    const kept = await store.sessionHistory({ from: T0, to: T0 + 10, session: 'aaaaaaaaaaaa' });
    expect(kept.requests.map((r) => r.path)).toEqual(['/5', '/4', '/3']);
    expect((await store.health()).detail).toContain('2 evicted');
  });

  it('bounds its rows by bytes: a flood of maximum-size client events evicts the oldest of them, not requests (#12.6)', async () => {
    const maxBytes = 1024 * 1024;
    const store = new MemoryTelemetryStore({ maxBytes });
    const requests = [1, 2, 3].map((i) => request({ ts: T0 + i, sessionHash: 'bbbbbbbbbbbb', path: `/${i}`, route: `/${i}` }));
    await store.insert({ kind: 'requests', id: 'r1', rows: requests });
    const big = (i: number): ClientEventRow => ({
      type: 'page_view',
      ts: T0 + 10 + i,
      url: `http://127.0.0.1:8080/${String(i).padStart(6, '0')}${'x'.repeat(2040)}`,
      title: 't'.repeat(512),
      sessionHash: 'bbbbbbbbbbbb',
    });
    const FLOOD = 2000;
    for (let b = 0; b < FLOOD / 100; b++) {
      await store.insert({ kind: 'client_events', id: `c${b}`, rows: Array.from({ length: 100 }, (_, i) => big(b * 100 + i)) });
      expect(store.bytes).toBeLessThanOrEqual(maxBytes);
    }
    const perRow = estimateRowBytes(big(0));
    // Well under the 100 000-row capacity: the bytes decided.
    const kept = store.size.clientEvents;
    expect(kept).toBeLessThan(maxBytes / 3000);
    // Full to the byte: one more such row would not have fitted.
    expect(store.bytes + perRow).toBeGreaterThan(maxBytes);
    expect(store.evicted).toBe(FLOOD - kept);
    expect(store.size.requests).toBe(3);
    const history = await store.sessionHistory({ from: T0, to: T0 + 10 * FLOOD, session: 'bbbbbbbbbbbb', limit: 1000 });
    // The newest events stay.
    expect(history.clientEvents[0]!.ts).toBe(T0 + 10 + FLOOD - 1);
    expect(history.clientEvents.at(-1)!.ts).toBe(T0 + 10 + FLOOD - kept);
    expect((await store.health()).detail).toContain(`${FLOOD - kept} evicted`);
  });

  it('answers a query over many rows a chunk per event-loop turn, counting the rows kept when it began less those let go meanwhile', async () => {
    const capacity = 3 * SCAN_CHUNK;
    const store = new MemoryTelemetryStore({ capacity });
    const batch = (id: string, from: number, n: number, session: string) =>
      store.insert({ kind: 'requests', id, rows: Array.from({ length: n }, (_, i) => request({ ts: T0 + from + i, sessionHash: session, path: '/p', route: '/p' })) });
    await batch('b1', 0, capacity, 'aaaaaaaaaaaa');
    const range = { from: T0, to: T0 + 10 * capacity };
    // Other work gets a turn between chunks: a ticker counts the turns it had while the query ran.
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    // The first chunk is read at the call; before the next, newer rows push out the oldest 2 × SCAN_CHUNK + 10.
    const answer = store.overview(range);
    await batch('b2', capacity, 2 * SCAN_CHUNK + 10, 'bbbbbbbbbbbb');
    const overview = await answer;
    ticking = false;
    expect(turns).toBeGreaterThanOrEqual(2);
    // Read: the first chunk, then what was still kept of the rest (SCAN_CHUNK - 10 rows); the rows added meanwhile are not counted.
    expect(overview.requests).toBe(2 * SCAN_CHUNK - 10);
    expect(overview.sessions).toBe(1);
    // Newest first (session history): the newest rows of the session, newest first.
    const history = await store.sessionHistory({ ...range, session: 'bbbbbbbbbbbb', limit: 3 });
    const newestTs = T0 + capacity + 2 * SCAN_CHUNK + 9;
    expect(history.requests.map((r) => r.ts)).toEqual([newestTs, newestTs - 1, newestTs - 2]);
  });

  it('reports itself unhealthy and refuses work once closed', async () => {
    const store = new MemoryTelemetryStore();
    await store.close();
    expect((await store.health()).ok).toBe(false);
    await expect(store.overview({ from: 0, to: 1 })).rejects.toThrow(/closed/);
  });
});
