import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.js';

describe('reconnectDelay', () => {
  it('doubles from the base up to the cap', () => {
    const middle = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 10, 1000].map((n) => reconnectDelay(n, {}, middle))).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('spreads by the jitter share, never past the cap', () => {
    expect(reconnectDelay(1, { jitter: 0.2 }, () => 0)).toBe(800);
    expect(reconnectDelay(1, { jitter: 0.2 }, () => 1)).toBe(1200);
    expect(reconnectDelay(9, { jitter: 0.2 }, () => 1)).toBe(5000);
  });
});
