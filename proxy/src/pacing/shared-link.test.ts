import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SharedLink, type Clock } from './shared-link.js';

/**
 * These tests run on fake timers and read when the link let each reservation
 * go, in the link's own time: what the pacer decided, not how punctual this
 * machine's timers were (the bench measures that, over real sockets).
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const fakeNow: Clock = () => performance.now();

/** Reserves every size at once; the array fills with when each was done, in ms after the call. */
function reserveAll(link: SharedLink, sizes: number[], now: Clock = fakeNow): number[] {
  const started = now();
  const done: number[] = [];
  sizes.forEach((bytes, i) => link.reserve({ bytes, done: () => (done[i] = now() - started) }));
  return done;
}

describe('SharedLink', () => {
  it('serves reservations in order at its rate', async () => {
    const link = new SharedLink(100_000); // 100 bytes per ms
    const done = reserveAll(link, [2000, 2000, 2000]);
    await vi.runAllTimersAsync();
    // 6,000 bytes at 100 B/ms is 60 ms, less the 20 ms an idle link lets through at once.
    expect(done).toEqual([0, 20, 40]);
    expect(link.bytesPassed).toBe(6000);
  });

  it('lets only a short burst through after being idle', async () => {
    const link = new SharedLink(100_000);
    reserveAll(link, [1000]);
    await vi.runAllTimersAsync();
    await vi.advanceTimersByTimeAsync(1000);
    // A second of silence earns no second of credit: 50,000 bytes still take 500 ms less the burst.
    const done = reserveAll(link, [50_000]);
    await vi.runAllTimersAsync();
    expect(done).toEqual([480]);
  });

  it('finishes a reservation at the new rate when the rate changes mid-way', async () => {
    const link = new SharedLink(10_000); // 10 B/ms: 10,000 bytes would take a second
    const done = reserveAll(link, [10_000]);
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toEqual([]);
    link.setRate(Infinity);
    await vi.runAllTimersAsync();
    expect(done).toEqual([100]);
    expect(link.bytesPassed).toBe(10_000);
  });

  it('halves the rest when the rate halves, keeping the time already waited', async () => {
    const link = new SharedLink(10_000);
    const done = reserveAll(link, [10_000]);
    // 300 ms in (plus the 20 ms burst): 3,200 bytes crossed, 6,800 left at 5 B/ms.
    await vi.advanceTimersByTimeAsync(300);
    link.setRate(5_000);
    await vi.runAllTimersAsync();
    expect(done).toEqual([300 + 6800 / 5]);
  });

  it('skips a cancelled reservation without waiting its time', async () => {
    const link = new SharedLink(10_000);
    const cancelled = reserveAll(link, [0]);
    const done = reserveAll(link, [100]);
    await vi.runAllTimersAsync();
    // Both go on the next timer turn (Node's 1 ms minimum): 100 bytes alone would have waited 10 ms.
    expect(cancelled).toEqual([0]);
    expect(done[0]).toBeLessThanOrEqual(1);
  });
});

describe('SharedLink under a late event loop', () => {
  it('makes up timer lateness while busy, so a stalled loop does not slow the link', async () => {
    // A clock that jumps ahead when the test says so: timers then fire late, as after a busy loop.
    let lateBy = 0;
    const now: Clock = () => performance.now() + lateBy;
    const link = new SharedLink(100_000, now); // 100 B/ms
    const sizes = Array.from({ length: 50 }, () => 1000); // 50,000 bytes: 500 ms at the rate
    const done = reserveAll(link, sizes, now);
    await vi.advanceTimersByTimeAsync(150);
    lateBy = 120; // the loop was blocked for 120 ms
    await vi.runAllTimersAsync();
    // On time despite the stall: 500 ms less the idle burst. Without catch-up it would end at 600.
    expect(done).toHaveLength(50);
    expect(done.at(-1)).toBe(480);
    expect(link.bytesPassed).toBe(50_000);
  });

  it('does not make up more than its catch-up window', async () => {
    let lateBy = 0;
    const now: Clock = () => performance.now() + lateBy;
    const link = new SharedLink(100_000, now);
    const done = reserveAll(link, Array.from({ length: 50 }, () => 1000), now);
    await vi.advanceTimersByTimeAsync(150);
    lateBy = 1000; // stalled for a second: only 250 ms of it is made up, the rest of the bytes wait
    await vi.runAllTimersAsync();
    expect(done.at(-1)).toBeGreaterThan(480 + 1000 - 250 - 1);
  });
});
