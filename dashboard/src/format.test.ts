import { describe, expect, it } from 'vitest';
import { countryLabel, formatBytes, formatCount, formatMs, formatPercent, formatRelative, riskLevel } from './format.js';

describe('format', () => {
  it('counts with separators, compact when large', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(123_456)).toBe('123.5K');
  });

  it('sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(-1)).toBe('—');
  });

  it('times in ms below a second, in s above; a dash without a figure', () => {
    expect(formatMs(87.4)).toBe('87 ms');
    expect(formatMs(2050)).toBe('2.05 s');
    expect(formatMs(12_340)).toBe('12.3 s');
    expect(formatMs(null)).toBe('—');
  });

  it('percentages', () => {
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.004)).toBe('0.4 %');
    expect(formatPercent(0.05)).toBe('5 %');
    expect(formatPercent(0.123)).toBe('12 %');
  });

  it('relative times', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(formatRelative('2026-11-25T09:59:58Z', now)).toBe('just now');
    expect(formatRelative('2026-11-25T09:59:18Z', now)).toBe('42 s ago');
    expect(formatRelative('2026-11-25T09:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-11-25T07:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative(null, now)).toBe('—');
  });

  it('names countries and the proxy markers', () => {
    expect(countryLabel('FR')).toBe('France');
    expect(countryLabel('LO')).toBe('Loopback');
    expect(countryLabel('LAN')).toBe('Private network');
    expect(countryLabel('')).toBe('Unknown');
    expect(countryLabel(null)).toBe('Unknown');
  });

  it('risk levels at the API threshold', () => {
    expect(riskLevel(69)).toBe('medium');
    expect(riskLevel(70)).toBe('high');
    expect(riskLevel(10)).toBe('low');
  });
});
