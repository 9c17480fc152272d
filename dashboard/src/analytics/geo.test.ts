import { describe, expect, it } from 'vitest';
import { byMapId, fillFor, NO_SESSIONS, numericCodeOf } from './geo.js';

describe('geo', () => {
  it('maps alpha-2 codes to the numeric ids of world-atlas, skipping the proxy markers', () => {
    expect(numericCodeOf('FR')).toBe('250');
    expect(numericCodeOf('AF')).toBe('004');
    expect(numericCodeOf('LO')).toBeUndefined();
    expect(numericCodeOf('')).toBeUndefined();
    const rows = byMapId([
      { country: 'DE', sessions: 2, requests: 10 },
      { country: 'LAN', sessions: 1, requests: 1 },
    ]);
    expect([...rows.keys()]).toEqual(['276']);
  });

  it('colours from light to dark blue as sessions grow', () => {
    expect(fillFor(0, 10)).toBe(NO_SESSIONS);
    expect(fillFor(10, 10)).toBe('rgb(30, 58, 138)');
    expect(fillFor(1, 1)).toBe('rgb(30, 58, 138)');
    const mid = fillFor(3, 10);
    expect(mid).not.toBe(fillFor(10, 10));
    expect(mid).not.toBe(fillFor(1, 10));
  });
});
