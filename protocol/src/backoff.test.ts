import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.js';

describe('reconnectDelay', () => {
  it('doubles from 250 ms up to a 3 s cap by default', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((attempt) => reconnectDelay(attempt, {}, () => 1))).toEqual([250, 500, 1000, 2000, 3000, 3000, 3000]);
  });

  it('jitters between half and all of the delay by default, and stays in range for any random value', () => {
    expect(reconnectDelay(3, {}, () => 0)).toBe(1000);
    expect(reconnectDelay(3, {}, () => 0.5)).toBe(1500);
    expect(reconnectDelay(3, {}, () => 7)).toBe(2000);
    expect(reconnectDelay(3, {}, () => -1)).toBe(1000);
    expect(reconnectDelay(3, {}, () => Number.NaN)).toBe(1000);
  });

  it('takes other bounds and jitter shares (the dashboard: 500 ms to 5 s)', () => {
    const dashboard = { baseMs: 500, maxMs: 5000 };
    expect([0, 1, 2, 3, 4, 10, 1000].map((n) => reconnectDelay(n, { ...dashboard, jitter: 0 }, Math.random))).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(reconnectDelay(1, { ...dashboard, jitter: 0.2 }, () => 0)).toBe(800);
    expect(reconnectDelay(9, { ...dashboard, jitter: 0.2 }, () => 1)).toBe(5000);
    expect(reconnectDelay(10, { baseMs: 100, maxMs: 1000 }, () => 1)).toBe(1000);
  });
});
