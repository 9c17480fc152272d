import type { MemoryTelemetryStore } from '@downspin/db';
import type { RequestRow } from '@downspin/protocol';

/** The i-th of a run of realistic request rows (97 sessions, a third shaped, one in 50 a 503), at `ts`. */
export function benchRow(i: number, ts: number): RequestRow {
  return {
    ts,
    sessionHash: (i % 97).toString(16).padStart(12, '0'),
    proxyId: 'bench',
    method: i % 5 === 0 ? 'POST' : 'GET',
    host: 'app.test',
    path: `/api/items/${i}`,
    route: '/api/items/:id',
    status: i % 50 === 0 ? 503 : 200,
    upstreamMs: 2.5,
    totalMs: 3 + (i % 40),
    injectedMs: 0,
    bytesIn: 120,
    bytesOut: 2048,
    shaping: i % 3 === 0 ? 'latency 400±100ms uniform' : '',
    shapingVersion: i % 3 === 0 ? 2 : 0,
    fault: '',
    error: '',
    country: 'LO',
  };
}

/**
 * Fills a memory store with `rows` bench rows, 30 ms apart and ending now,
 * as a proxy's store is after its first `rows` requests.
 */
export async function fillStore(store: MemoryTelemetryStore, rows: number): Promise<{ from: number }> {
  const from = Date.now() - rows * 30;
  for (let at = 0; at < rows; at += 1000) {
    const batch = Array.from({ length: Math.min(1000, rows - at) }, (_, i) => benchRow(at + i, from + (at + i) * 30));
    await store.insert({ kind: 'requests', id: `fill${at}`, rows: batch });
  }
  return { from };
}
