import { describe, expect, it } from 'vitest';
import { request, T0 } from '../contract-fixtures.js';
import type { TelemetryBatch } from '../types.js';
import { writeRequest } from './columns.js';
import { encodeBatch, ROWS_PER_TASK } from './insert.js';
import { RowBinaryWriter } from './row-binary.js';

describe('encodeBatch', () => {
  const rows = Array.from({ length: 5 * ROWS_PER_TASK + 7 }, (_, i) =>
    request({ ts: T0 + i, sessionHash: 'aaaaaaaaaaaa', path: `/p/${i}`, route: '/p/:id', bytesOut: i }),
  );
  const batch: TelemetryBatch = { kind: 'requests', id: 'b-1', rows };

  /** Consumes the encoder while a chain of immediates counts the event loop's turns. */
  async function encodeCountingTurns(skip: ReadonlySet<number>): Promise<{ bytes: Buffer; turns: number }> {
    let turns = 0;
    let done = false;
    const tick = (): void => {
      if (done) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const chunks: Buffer[] = [];
    for await (const chunk of encodeBatch(batch, skip)) chunks.push(chunk);
    done = true;
    return { bytes: Buffer.concat(chunks), turns };
  }

  it('gives the event loop a turn every ROWS_PER_TASK rows, and writes the rows as one pass would', async () => {
    const { bytes, turns } = await encodeCountingTurns(new Set());
    expect(turns).toBeGreaterThanOrEqual(5);
    const w = new RowBinaryWriter();
    rows.forEach((row, seq) => writeRequest(w, row, 'b-1', seq));
    expect(bytes.equals(Buffer.concat(w.end()))).toBe(true);
  });

  it('leaves out the rows a retry found stored, keeping the others at their places', async () => {
    const { bytes } = await encodeCountingTurns(new Set([0, ROWS_PER_TASK, rows.length - 1]));
    const w = new RowBinaryWriter();
    rows.forEach((row, seq) => {
      if (seq !== 0 && seq !== ROWS_PER_TASK && seq !== rows.length - 1) writeRequest(w, row, 'b-1', seq);
    });
    expect(bytes.equals(Buffer.concat(w.end()))).toBe(true);
  });
});
