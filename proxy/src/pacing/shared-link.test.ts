import { describe, expect, it } from 'vitest';
import { SharedLink, type Reservation } from './shared-link.js';

function reserveAll(link: SharedLink, sizes: number[]): Promise<number[]> {
  const started = performance.now();
  return Promise.all(
    sizes.map(
      (bytes) =>
        new Promise<number>((resolve) => {
          const reservation: Reservation = { bytes, done: () => resolve(performance.now() - started) };
          link.reserve(reservation);
        }),
    ),
  );
}

describe('SharedLink', () => {
  it('serves reservations in order at its rate', async () => {
    const link = new SharedLink(100_000); // 100 bytes per ms
    const done = await reserveAll(link, [2000, 2000, 2000]);
    expect(done[0]!).toBeLessThan(done[1]!);
    expect(done[1]!).toBeLessThan(done[2]!);
    // 6000 bytes at 100 B/ms: 60 ms, less the 20 ms catch-up allowed from an idle link.
    expect(done[2]!).toBeGreaterThanOrEqual(38);
    expect(done[2]!).toBeLessThan(120);
    expect(link.bytesPassed).toBe(6000);
  });

  it('finishes a reservation at the new rate when the rate changes mid-way', async () => {
    const link = new SharedLink(10_000); // 10 B/ms: 10,000 bytes would take a second
    const pending = reserveAll(link, [10_000]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    link.setRate(Infinity);
    const [done] = await pending;
    expect(done!).toBeLessThan(300);
  });

  it('skips a cancelled reservation without waiting its time', async () => {
    const link = new SharedLink(10_000);
    const cancelled: Reservation = { bytes: 0, done: () => undefined };
    link.reserve(cancelled);
    const [done] = await reserveAll(link, [100]);
    expect(done!).toBeLessThan(60);
  });
});

describe('SharedLink under a late event loop', () => {
  it('makes up timer lateness while busy, so a stalled loop does not slow the link', async () => {
    const link = new SharedLink(100_000); // 100 B/ms
    const started = performance.now();
    const sizes = Array.from({ length: 50 }, () => 1000); // 50,000 bytes: 500 ms at the rate
    const pending = reserveAll(link, sizes);
    // Block the event loop for 120 ms in the middle, as a starved CPU would.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const blockUntil = performance.now() + 120;
    while (performance.now() < blockUntil) {
      // busy: timers cannot fire
    }
    await pending;
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(500 + 60);
  });
});
