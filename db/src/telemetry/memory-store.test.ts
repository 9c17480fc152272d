import { describe, expect, it } from 'vitest';
import { request, T0 } from './contract-fixtures.js';
import { MemoryTelemetryStore } from './memory-store.js';
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

  it('reports itself unhealthy and refuses work once closed', async () => {
    const store = new MemoryTelemetryStore();
    await store.close();
    expect((await store.health()).ok).toBe(false);
    await expect(store.overview({ from: 0, to: 1 })).rejects.toThrow(/closed/);
  });
});
