import { describe, expect, it } from 'vitest';
import { propagationReport, type PropagationResult } from './propagation.js';

const result = (p99Ms: number, acknowledgedByBoth = 1000): PropagationResult => ({
  commands: 1000,
  sessions: 50,
  acknowledgedByBoth,
  p50Ms: 3,
  p99Ms,
  maxMs: p99Ms * 2,
  proxies: [
    { proxyId: 'bench-proxy-1', applied: 1050, stale: 0 },
    { proxyId: 'bench-proxy-2', applied: 1050, stale: 0 },
  ],
  versionsMade: 1050,
});

describe('propagationReport', () => {
  it('passes under 50 ms p99 with every command acknowledged by both proxies', () => {
    expect(propagationReport(result(49.9)).checks.map((c) => [c.value, c.pass])).toEqual([['49.90 ms', true]]);
    expect(propagationReport(result(50)).checks.map((c) => c.pass)).toEqual([false]);
  });

  it('fails a fast run in which a command was not acknowledged by both', () => {
    const report = propagationReport(result(5, 999));
    expect(report.checks.map((c) => c.pass)).toEqual([false]);
    expect(report.lines[0]).toContain('999 acknowledged by both proxies');
  });

  it('names what each proxy applied against the versions the calls made', () => {
    expect(propagationReport(result(5)).lines[1]).toBe(
      '  bench-proxy-1 applied 1,050 of 1,050 versions, 0 stale · bench-proxy-2 applied 1,050 of 1,050 versions, 0 stale',
    );
  });
});
