import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the full run', () => {
    expect(parseOptions([])).toMatchObject({ quick: false, rounds: 3, durationSec: 5, connections: 16, latencySamples: 200, transferMiB: 4, wsFloodSec: 60 });
  });

  it('--quick shortens every scenario; explicit flags still win', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ rounds: 1, durationSec: 2, latencySamples: 40, transferMiB: 1 });
    expect(parseOptions(['--quick', '--rounds', '2'])).toMatchObject({ rounds: 2, durationSec: 2 });
    expect(parseOptions(['--quick'])).toMatchObject({ wsFloodSec: 10 });
    expect(parseOptions(['--ws-flood', '5'])).toMatchObject({ wsFloodSec: 5 });
  });

  it('refuses unknown flags and bad numbers with the flag named', () => {
    expect(() => parseOptions(['--fast'])).toThrow(/--fast/);
    expect(() => parseOptions(['--rounds', 'many'])).toThrow(/--rounds/);
    expect(() => parseOptions(['--connections', '0'])).toThrow(/--connections/);
    expect(() => parseOptions(['--ws-flood', '0'])).toThrow(/--ws-flood/);
    expect(() => parseOptions(['--sections', '7,9'])).toThrow(/--sections.*one of 1, 1b/);
  });

  it('--sections picks sections; all run by default', () => {
    expect([...parseOptions(['--sections', '7, 1b']).sections]).toEqual(['7', '1b']);
    expect(parseOptions([]).sections.size).toBe(10);
  });
});
