import type { RequestRow } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { A, request, T0 } from './contract-fixtures.js';
import { RowHold } from './row-hold.js';

const rows = (n: number): RequestRow[] => Array.from({ length: n }, (_, i) => request({ ts: T0 + i, sessionHash: A, path: `/r/${i}`, route: '/r/:id' }));

describe('RowHold', () => {
  it('gives back the rows it holds, oldest first, and no more than it holds', () => {
    const hold = new RowHold<RequestRow>();
    const sent = rows(5);
    hold.hold(sent, 1, 4);
    expect(hold.length).toBe(3);
    expect(hold.take(2)).toEqual([sent[1], sent[2]]);
    expect(hold.take(2)).toEqual([sent[3]]);
    expect(hold.take(2)).toEqual([]);
    expect(hold.length).toBe(0);
  });
});
