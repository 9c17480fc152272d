import type { RequestRow } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { A, request, T0 } from './contract-fixtures.js';
import { REQUEST_SHAPE } from './columns.js';
import { ColumnHold, ObjectHold } from './row-hold.js';

const rows = (n: number, from = 0): RequestRow[] =>
  Array.from({ length: n }, (_, i) => request({ ts: T0 + from + i, sessionHash: A, path: `/r/${from + i}`, route: '/r/:id', totalMs: (from + i) / 3, bytesOut: 2 ** 40 + i }));

describe('ColumnHold', () => {
  it('gives back every field of every row, in order, across growth and being taken from in pieces', () => {
    const hold = new ColumnHold<RequestRow>(REQUEST_SHAPE);
    const sent = rows(5000);
    // Held and taken in uneven pieces, so the columns grow and move their slots to the front.
    const taken: RequestRow[] = [];
    for (let i = 0; i < 5000; i += 700) {
      hold.hold(sent, i, Math.min(5000, i + 700));
      taken.push(...hold.take(333));
    }
    expect(hold.length).toBe(5000 - taken.length);
    taken.push(...hold.take(10_000));
    expect(hold.length).toBe(0);
    expect(taken).toEqual(sent);
    // Made from the columns, not handed back: each has the shape's fields, in its order.
    expect(taken.some((row, i) => row === sent[i])).toBe(false);
    expect(Object.keys(taken[0]!)).toEqual(REQUEST_SHAPE.map((column) => column.field));
  });

  it('holds a row whose value does not fit its column as it is (the store cleans it), in its place', () => {
    const hold = new ColumnHold<RequestRow>(REQUEST_SHAPE);
    const odd = { ...request({ ts: T0, sessionHash: A, path: '/odd', route: '/odd' }), status: '200' as unknown as number, extra: 'kept' };
    const sent = [...rows(2), odd, ...rows(2, 2)];
    hold.hold(sent, 0, sent.length);
    const taken = hold.take(5);
    expect(taken[2]).toBe(odd);
    expect(taken).toEqual(sent);
  });

  it('takes no more than it holds', () => {
    const hold = new ColumnHold<RequestRow>(REQUEST_SHAPE);
    hold.hold(rows(3), 0, 3);
    expect(hold.take(10)).toHaveLength(3);
    expect(hold.take(10)).toEqual([]);
  });
});

describe('ObjectHold', () => {
  it('gives back the rows it holds, oldest first', () => {
    const hold = new ObjectHold<RequestRow>();
    const sent = rows(5);
    hold.hold(sent, 1, 4);
    expect(hold.take(2)).toEqual([sent[1], sent[2]]);
    expect(hold.take(2)).toEqual([sent[3]]);
  });
});
