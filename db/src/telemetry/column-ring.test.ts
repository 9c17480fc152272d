import type { RequestRow } from '@downspin/protocol';
import { collector } from '@downspin/testing';
import { describe, expect, it } from 'vitest';
import { ColumnRing } from './column-ring.js';
import { CLIENT_EVENT_SHAPE, REQUEST_SHAPE, sanitizer } from './columns.js';
import { A, request, T0 } from './contract-fixtures.js';
import { estimateRowBytes } from './row-bytes.js';

const rows = (n: number, from = 0): RequestRow[] =>
  Array.from({ length: n }, (_, i) => request({ ts: T0 + from + i, sessionHash: A, path: `/r/${from + i}`, route: '/r/:id', totalMs: (from + i) / 3, bytesOut: 2 ** 40 + i }));

const fields = REQUEST_SHAPE.map((column) => column.field);
const clean = sanitizer(REQUEST_SHAPE);

describe('ColumnRing', () => {
  it('numbers rows for life: a scan from a number goes on where an earlier one stopped, past growth, wrapping and rows let go', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 3000);
    const sent = rows(2500);
    for (const row of sent.slice(0, 2000)) ring.keep(row);
    expect([ring.first, ring.end]).toEqual([0, 2000]);
    // Read as it goes: the view moves on at each step.
    const paths = (views: Iterable<RequestRow>): string[] => Array.from(views, (view) => view.path);
    expect(paths(ring.scan(false, 1000, 1003))).toEqual(['/r/1000', '/r/1001', '/r/1002']);
    // Meanwhile: it grows past 2,048 slots, fills to its limit and wraps, and lets two rows go.
    for (const row of sent.slice(2000)) ring.keep(row);
    for (const row of rows(600, 2500)) ring.keep(row);
    ring.shift();
    ring.shift();
    expect([ring.first, ring.end]).toEqual([102, 3100]);
    expect(paths(ring.scan(false, 1003, 1006))).toEqual(['/r/1003', '/r/1004', '/r/1005']);
    expect(paths(ring.scan(true, 3097, 3200))).toEqual(['/r/3099', '/r/3098', '/r/3097']);
    // Rows let go are skipped.
    expect(paths(ring.scan(false, 0, 104))).toEqual(['/r/102', '/r/103']);
    expect(paths(ring.scan(false, 0, 50))).toEqual([]);
  });

  it('at its limit, keeps the newest rows, every field, oldest first, and the bytes of those it keeps', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 3000);
    const sent = rows(5000);
    // Grows from 1,024 slots to its limit, then wraps: 2,000 rows let go.
    expect(sent.filter((row) => ring.keep(row)).length).toBe(2000);
    expect(ring.size).toBe(3000);
    const kept = sent.slice(2000);
    expect([...ring]).toEqual(kept);
    const newestFirst: RequestRow[] = [];
    for (const view of ring.scan(true)) newestFirst.push(ring.copy(view));
    expect(newestFirst).toEqual([...kept].reverse());
    expect(ring.bytes).toBe(kept.reduce((sum, row) => sum + estimateRowBytes(row), 0));
    // Made from the columns: each its own object with the shape's fields, in order.
    const first = [...ring][0]!;
    expect(first).not.toBe(kept[0]);
    expect(Object.keys(first)).toEqual(fields);
  });

  it('lets the oldest go on shift and keeps the order when it grows with its start mid-columns', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE);
    const sent = rows(3000);
    for (const row of sent.slice(0, 1000)) ring.keep(row);
    for (let i = 0; i < 300; i++) expect(ring.shift()).toBe(true);
    // 700 rows from slot 300, then 2,000 more: past 1,024 slots the rows wrap, then move on growing.
    for (const row of sent.slice(1000)) ring.keep(row);
    expect(ring.size).toBe(2700);
    expect([...ring]).toEqual(sent.slice(300));
    expect(ring.bytes).toBe(sent.slice(300).reduce((sum, row) => sum + estimateRowBytes(row), 0));
    while (ring.shift());
    expect(ring.size).toBe(0);
    expect(ring.bytes).toBe(0);
    expect([...ring]).toEqual([]);
  });

  it('wraps at a limit that is not a power of two and grows into it with the rows wrapped', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 1500);
    const sent = rows(1200);
    for (const row of sent.slice(0, 1024)) ring.keep(row);
    for (let i = 0; i < 500; i++) ring.shift();
    // Wraps inside the first 1,024 slots, then grows to 1,500 with the rows split at the end.
    for (const row of sent.slice(1024)) ring.keep(row);
    expect([...ring]).toEqual(sent.slice(500));
  });

  it('scans through one view moved from row to row, either way, and copies a view into a row of its own', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 100);
    const sent = rows(150);
    for (const row of sent) ring.keep(row);
    const read = (view: RequestRow): Record<string, unknown> => Object.fromEntries(fields.map((field) => [field, view[field as keyof RequestRow]]));
    const views = new Set<object>();
    const seen: Array<Record<string, unknown>> = [];
    for (const view of ring.scan()) {
      views.add(view);
      seen.push(read(view));
    }
    expect(seen).toEqual(sent.slice(50));
    expect(views.size).toBe(1);
    const newestFirst = [...ring.scan(true)].length;
    expect(newestFirst).toBe(100);
    const copies: RequestRow[] = [];
    for (const view of ring.scan(true)) if (view.ts % 10 === 0) copies.push(ring.copy(view));
    expect(copies).toEqual(sent.slice(50).filter((row) => row.ts % 10 === 0).reverse());
    expect(Object.keys(copies[0]!)).toEqual(fields);
  });

  it('keeps a hostile row cleaned as the sanitiser cleans it, weighed as estimateRowBytes weighs the clean row', () => {
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 10);
    const hostile = [
      { ...rows(1)[0]!, path: `/${'p'.repeat(5000)}`, host: 'a\uD800b', totalMs: Number.NaN, status: 70_000, bytesOut: -5 },
      { ...rows(1, 1)[0]!, method: 42 as unknown as string, upstreamMs: '7' as unknown as number, extra: 'dropped' },
      ...rows(2, 2),
    ];
    for (const row of hostile) expect(ring.keep(row)).toBe(false);
    const kept = [...ring];
    expect(kept).toEqual(hostile.map(clean));
    expect(kept[0]!.path.length).toBeLessThan(5000);
    expect(kept[0]!.host).toBe('a\uFFFDb');
    expect(ring.bytes).toBe(hostile.reduce((sum, row) => sum + estimateRowBytes(clean(row)), 0));
  });

  it('keeps one string for equal values in consecutive rows, not a copy per row', () => {
    const gc = collector();
    const ring = new ColumnRing<RequestRow>(REQUEST_SHAPE, 10_000);
    const raw = Buffer.from(`/${'a'.repeat(1999)}`);
    gc();
    const before = process.memoryUsage().heapUsed;
    // As the HTTP parser makes them: equal paths, each its own 2,000-character string (20 MB if each were kept).
    for (let i = 0; i < 10_000; i++) ring.keep({ ...rows(1, i)[0]!, path: raw.toString('latin1') });
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
    expect([...ring].every((row) => row.path.length === 2000)).toBe(true);
  });

  it('refuses a table with a Nullable column (a cleaned value may not fit) and a limit below one row', () => {
    expect(() => new ColumnRing(CLIENT_EVENT_SHAPE)).toThrow(/Nullable/);
    expect(() => new ColumnRing<RequestRow>(REQUEST_SHAPE, 0)).toThrow(RangeError);
  });
});
