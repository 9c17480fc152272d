import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from './batcher.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(batchSize = 10, flushIntervalMs = 2000, maxQueued?: number) {
  const batches: number[][] = [];
  const batcher = new Batcher<number>({ batchSize, flushIntervalMs, send: (batch) => batches.push(batch), ...(maxQueued ? { maxQueued } : {}) });
  return { batcher, batches };
}

describe('Batcher', () => {
  it('sends as soon as batchSize items wait', () => {
    const { batcher, batches } = setup();
    for (let i = 1; i <= 25; i++) batcher.add(i);
    expect(batches).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    ]);
  });

  it('sends what waits flushIntervalMs after the first item, not later', () => {
    const { batcher, batches } = setup();
    batcher.add(1);
    vi.advanceTimersByTime(1500);
    batcher.add(2);
    vi.advanceTimersByTime(499);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([[1, 2]]);
    vi.advanceTimersByTime(10_000);
    expect(batches).toHaveLength(1);
  });

  it('flushes on demand and sends nothing when empty', () => {
    const { batcher, batches } = setup();
    batcher.flush();
    batcher.add(1);
    batcher.flush();
    vi.advanceTimersByTime(5000);
    expect(batches).toEqual([[1]]);
  });

  it('keeps at most maxQueued waiting and counts the rest', () => {
    const { batcher, batches } = setup(100, 2000, 3);
    for (let i = 0; i < 5; i++) batcher.add(i);
    expect(batcher.droppedCount).toBe(2);
    vi.advanceTimersByTime(2000);
    expect(batches).toEqual([[0, 1, 2]]);
  });

  it('forgets what waits when discarded', () => {
    const { batcher, batches } = setup();
    batcher.add(1);
    batcher.discard();
    vi.advanceTimersByTime(5000);
    expect(batches).toEqual([]);
  });

  it('takes a new batch size at once', () => {
    const { batcher, batches } = setup();
    batcher.add(1);
    batcher.add(2);
    batcher.configure(2, 2000);
    expect(batches).toEqual([[1, 2]]);
  });
});
