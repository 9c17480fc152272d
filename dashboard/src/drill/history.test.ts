import { describe, expect, it } from 'vitest';
import { describeHistoryEntry } from './history.js';

describe('describeHistoryEntry', () => {
  it('names a scenario application by name and version', () => {
    expect(describeHistoryEntry({ kind: 'scenario', body: { name: 'flaky-4g', version: 3 } })).toBe('applied scenario "flaky-4g" v3');
  });
  it('says a downspin with its latency', () => {
    expect(describeHistoryEntry({ kind: 'downspin', body: { latency_ms: 2000 } })).toBe('downspin: latency 2000 ms');
  });
  it('shows other commands by kind and body', () => {
    expect(describeHistoryEntry({ kind: 'upspin', body: {} })).toBe('upspin');
    expect(describeHistoryEntry({ kind: 'terminate', body: { reason: 'bot' } })).toBe('terminate: {"reason":"bot"}');
  });
});
