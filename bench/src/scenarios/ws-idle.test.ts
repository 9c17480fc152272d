import { describe, expect, it } from 'vitest';
import { marginalKiB, perSocketKiB, wsIdleReport, type WsIdleResult } from './ws-idle.js';

const result = (over: Partial<WsIdleResult> = {}): WsIdleResult => ({
  asked: 10_000,
  attempted: 10_000,
  limitedBy: '',
  failed: 0,
  sessions: 100,
  shapedSessions: 25,
  latencyMs: 50,
  openMs: 20_000,
  rssBaselineMiB: 90,
  rssHalfMiB: 90 + 90,
  halfOpen: 5_000,
  rssOpenMiB: 90 + 150,
  rssClosedMiB: 250,
  clientOpen: 10_000,
  upstreamOpen: 10_000,
  proxyFdsBaseline: 21,
  proxyFdsOpen: 20_021,
  upstreamOpenAfterClose: 0,
  ...over,
});

describe('perSocketKiB', () => {
  it('divides the RSS above the baseline by the sockets open at the upstream', () => {
    expect(perSocketKiB(result())).toBeCloseTo(15.36, 2);
    expect(perSocketKiB(result({ upstreamOpen: 0 }))).toBeNaN();
  });
});

describe('marginalKiB', () => {
  it('divides the growth from half-way to all open by the sockets added in the second half', () => {
    expect(marginalKiB(result())).toBeCloseTo(12.29, 2);
    expect(marginalKiB(result({ halfOpen: 10_000 }))).toBeNaN();
  });
});

describe('wsIdleReport', () => {
  it('passes under 20 KiB a socket with every socket open end to end', () => {
    const { checks } = wsIdleReport(result());
    expect(checks.map((c) => [c.value, c.pass])).toEqual([['15.4 KiB', true]]);
  });

  it('fails at 20 KiB or more, or when a socket did not open through the proxy', () => {
    expect(wsIdleReport(result({ rssOpenMiB: 90 + 200 })).checks[0]!.pass).toBe(false);
    expect(wsIdleReport(result({ upstreamOpen: 9_999 })).checks[0]!.pass).toBe(false);
    expect(wsIdleReport(result({ failed: 1, clientOpen: 9_999, upstreamOpen: 9_999 })).checks[0]!.pass).toBe(false);
    expect(wsIdleReport(result({ upstreamOpen: 0, clientOpen: 0 })).checks[0]!.value).toBe('none open');
  });

  it('says why fewer sockets than asked were attempted', () => {
    const capped = wsIdleReport(result({ attempted: 9_957, clientOpen: 9_957, upstreamOpen: 9_957, limitedBy: 'the open-file limit of the proxy' }));
    expect(capped.lines.some((line) => line.includes('10,000 asked, 9,957 attempted: the open-file limit of the proxy'))).toBe(true);
    expect(capped.checks[0]!.pass).toBe(true);
    expect(wsIdleReport(result()).lines.some((line) => line.includes('asked'))).toBe(false);
  });
});
