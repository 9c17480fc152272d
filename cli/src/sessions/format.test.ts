import type { SessionView } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { ago, appliedLine, bytes, sessionTable, table } from './format.js';

const session = (patch: Partial<SessionView> = {}): SessionView => ({
  hash: '0123456789ab',
  mode: 'downspin',
  shaping: 'downspin: latency 2000 ms',
  throttled: true,
  version: 2,
  userAgent: 'Mozilla/5.0',
  browser: 'Firefox',
  country: 'LO',
  firstSeen: '2025-01-01T00:00:00.000Z',
  lastSeen: '2025-01-01T00:05:00.000Z',
  requests: 12,
  bytesIn: 100,
  bytesOut: 3 * 1024 * 1024,
  violations: 0,
  risk: 10,
  consent: false,
  bannedUntil: null,
  ...patch,
});

describe('session output', () => {
  it('aligns table columns and leaves the last one unpadded', () => {
    expect(table(['A', 'LONGER', 'LAST'], [['xyz', '1', 'free text here'], ['q', '22222222', 'x']])).toEqual([
      'A    LONGER    LAST',
      'xyz  1         free text here',
      'q    22222222  x',
    ]);
  });

  it('formats sizes and ages for people', () => {
    expect([bytes(0), bytes(1023), bytes(1536), bytes(3 * 1024 * 1024), bytes(50 * 1024)]).toEqual(['0 B', '1023 B', '1.5 KB', '3.0 MB', '50 KB']);
    const now = Date.parse('2025-01-01T01:00:00Z');
    expect([ago(null, now), ago('2025-01-01T00:59:55Z', now), ago('2025-01-01T00:30:00Z', now), ago('2024-12-30T01:00:00Z', now)]).toEqual([
      '-',
      '5s ago',
      '30m ago',
      '2d ago',
    ]);
  });

  it('lists sessions one per row, hash first, shaping last', () => {
    const lines = sessionTable([session(), session({ hash: 'ffffffffffff', mode: 'none', shaping: 'no shaping', browser: null, lastSeen: null })], Date.parse('2025-01-01T00:06:00Z'));
    expect(lines[0]).toMatch(/^HASH +MODE +RISK +REQUESTS +IN +OUT +BROWSER +COUNTRY +CONSENT +LAST SEEN +SHAPING$/);
    expect(lines[1]).toMatch(/^0123456789ab +downspin +10 +12 +100 B +3\.0 MB +Firefox +LO +no +1m ago +downspin: latency 2000 ms$/);
    expect(lines[2]).toMatch(/^ffffffffffff +none .* - +LO +no +- +no shaping$/);
    expect(sessionTable([])).toEqual(['no sessions']);
  });

  it('says who applied a command, and who did not', () => {
    expect(appliedLine(session(), { version: 2, acknowledged: true, appliedBy: ['proxy-a', 'proxy-b'], pending: [] })).toBe(
      '0123456789ab: downspin (version 2): downspin: latency 2000 ms; applied by proxy-a, proxy-b',
    );
    expect(appliedLine(session(), { version: 2, acknowledged: true, appliedBy: [], pending: [] })).toContain('no live proxy');
    expect(appliedLine(session(), { version: 2, acknowledged: false, appliedBy: ['proxy-a'], pending: ['proxy-b'] })).toContain(
      'applied by proxy-a; NOT acknowledged in time by proxy-b',
    );
  });
});
