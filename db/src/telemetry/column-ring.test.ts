import type { RequestRow } from '@downspin/protocol';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { ColumnRing } from './column-ring.js';
import { CLIENT_EVENT_SHAPE, REQUEST_SHAPE, sanitizer } from './columns.js';
import { estimateRowBytes } from './row-bytes.js';
import type { ClientEventRow } from './types.js';
import { A, request, T0 } from './contract-fixtures.js';

const rows = (n: number, from = 0): RequestRow[] =>
  Array.from({ length: n }, (_, i) => request({ ts: T0 + from + i, sessionHash: A, path: `/r/${from + i}`, route: '/r/:id', totalMs: (from + i) / 3, bytesOut: 2 ** 40 + i }));

/** A full garbage collection on demand (the flag is read when the function is first looked up). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const fields = REQUEST_SHAPE.map((column) => column.field);

describe('ColumnRing', () => {
  it('at its limit, keeps the newest rows, every field, oldest first, and counts the bytes it keeps', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 3000);
    const sent = rows(5000);
    // Grows from 1,024 slots to its limit, then wraps: 2,000 rows pushed out.
    const pushedOut = sent.filter((row, i) => ring.push(row, 10 + i)).length;
    expect(pushedOut).toBe(2000);
    expect(ring.size).toBe(3000);
    const kept = sent.slice(2000);
    expect([...ring]).toEqual(kept);
    expect([...ring.reversed()]).toEqual([...kept].reverse());
    // Bytes of the kept rows only: 10 + i for i in [2000, 5000).
    expect(ring.bytes).toBe(kept.reduce((sum, _, i) => sum + 10 + 2000 + i, 0));
    // Made from the columns: each its own object with the shape's fields, in order.
    const first = [...ring][0]!;
    expect(first).not.toBe(kept[0]);
    expect(Object.keys(first)).toEqual(fields);
  });

  it('lets the oldest go on shift, keeps its order across growth after shifts, and takes in pieces', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE);
    const sent = rows(3000);
    for (const row of sent.slice(0, 1000)) ring.push(row, 1);
    for (let i = 0; i < 300; i++) expect(ring.shift()).toBe(true);
    // The start is now mid-columns: growing past 1,024 must move the rows in order.
    for (const row of sent.slice(1000)) ring.push(row, 1);
    expect(ring.size).toBe(2700);
    expect(ring.bytes).toBe(2700);
    const taken = [...ring.take(1000), ...ring.take(1000), ...ring.take(5000)];
    expect(taken).toEqual(sent.slice(300));
    expect(ring.size).toBe(0);
    expect(ring.bytes).toBe(0);
    expect(ring.shift()).toBe(false);
    expect(ring.take(10)).toEqual([]);
  });

  it('scans through one object refilled per row, with the same values as the rows', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 100);
    const sent = rows(150);
    for (const row of sent) ring.push(row);
    const seen: RequestRow[] = [];
    const objects = new Set<object>();
    for (const row of ring.scan()) {
      objects.add(row);
      seen.push({ ...row });
    }
    expect(seen).toEqual(sent.slice(50));
    expect(objects.size).toBe(1);
  });

  it('keeps a row whose value does not fit its column as it is, in its place', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 4);
    const odd = { ...request({ ts: T0, sessionHash: A, path: '/odd', route: '/odd' }), status: '200' as unknown as number, extra: 'kept' };
    const sent = [...rows(2), odd, ...rows(2, 2)];
    for (const row of sent) ring.push(row);
    expect([...ring]).toEqual(sent.slice(1));
    expect([...ring][1]).toBe(odd);
    expect([...ring.scan()][1]).toBe(odd);
    // Pushed out like any other row.
    ring.push(rows(1, 9)[0]!);
    ring.push(rows(1, 10)[0]!);
    expect([...ring].includes(odd)).toBe(false);
  });

  it('keeps one string for equal values in consecutive rows, not a copy per row', () => {
    const gc = collector();
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 1000);
    const raw = Buffer.alloc(64 * 1024, 'a');
    gc();
    const before = process.memoryUsage().heapUsed;
    // As the HTTP parser makes them: equal values, each its own 64 KiB string (64 MiB if each were kept).
    for (let i = 0; i < 1000; i++) ring.push({ ...rows(1, i)[0]!, host: raw.toString('latin1') });
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
    expect([...ring].every((row) => row.host.length === 64 * 1024)).toBe(true);
  });

  it('keeps a hostile row cleaned as the sanitiser cleans it, weighed as estimateRowBytes weighs the clean row', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 10);
    const hostile = [
      { ...rows(1)[0]!, path: `/${'p'.repeat(5000)}`, host: 'a\uD800b', totalMs: Number.NaN, status: 70_000, bytesOut: -5 },
      { ...rows(1, 1)[0]!, method: 42 as unknown as string, upstreamMs: '7' as unknown as number },
      ...rows(2, 2),
    ];
    const clean = sanitizer(REQUEST_SHAPE);
    for (const row of hostile) expect(ring.keep(row)).toBe(false);
    const kept = [...ring];
    expect(kept).toEqual(hostile.map(clean));
    expect(kept[0]!.path.length).toBeLessThan(5000);
    expect(kept[0]!.host).toBe('a\uFFFDb');
    expect(ring.bytes).toBe(hostile.reduce((sum, row) => sum + estimateRowBytes(clean(row)), 0));
    // At its limit, keep pushes the oldest out too.
    for (let i = 0; i < 6; i++) ring.keep(rows(1, 10 + i)[0]!);
    expect(ring.keep(rows(1, 20)[0]!)).toBe(true);
    expect(ring.size).toBe(10);
  });

  it('refuses to keep (clean into columns) where a cleaned value may not fit: Nullable columns', () => {
    const ring = new ColumnRing<ClientEventRow>(CLIENT_EVENT_SHAPE);
    expect(() => ring.keep({ type: 'click', ts: T0, url: 'u', target: 't', sessionHash: A })).toThrow(/Nullable/);
  });

  it('refuses a limit below one row', () => {
    expect(() => new ColumnRing<RequestRow>(REQUEST_SHAPE, 0)).toThrow(RangeError);
  });
});
