import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.js';

describe('reconnectDelay', () => {
  it('doubles from 250 ms up to a 3 s cap', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((attempt) => reconnectDelay(attempt, () => 1))).toEqual([250, 500, 1000, 2000, 3000, 3000, 3000]);
  });

  it('jitters between half and all of the delay, and stays in range for any random value', () => {
    expect(reconnectDelay(3, () => 0)).toBe(1000);
    expect(reconnectDelay(3, () => 0.5)).toBe(1500);
    expect(reconnectDelay(3, () => 7)).toBe(2000);
    expect(reconnectDelay(3, () => -1)).toBe(1000);
  });

  it('takes other bounds', () => {
    expect(reconnectDelay(10, () => 1, { baseMs: 100, maxMs: 1000 })).toBe(1000);
  });
});
