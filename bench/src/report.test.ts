import { describe, expect, it } from 'vitest';
import { bandwidthChecks, checksTable, throughputChecks } from './report.js';
import { throughputRow } from './test-support/throughput-row.js';

const row = (name: string, rps: number, singleP50: number) => throughputRow(name, [rps], singleP50);

describe('throughputChecks', () => {
  it('passes at 0.90 of http-proxy-3 and under 1 ms of added p50, fails below and above', () => {
    const good = throughputChecks([row('direct', 20_000, 0.1), row('downspin', 9000, 1.09), row('http-proxy-3', 10_000, 0.3)]);
    expect(good.checks.map((c) => [c.value, c.pass])).toEqual([
      ['0.90', true],
      ['0.990 ms', true],
    ]);
    const bad = throughputChecks([row('direct', 20_000, 0.1), row('downspin', 8900, 1.1), row('http-proxy-3', 10_000, 0.3)]);
    expect(bad.checks.map((c) => c.pass)).toEqual([false, false]);
  });

  it('adds nginx figures only when nginx ran', () => {
    const rows = [row('direct', 20_000, 0.1), row('downspin', 9000, 0.2), row('http-proxy-3', 10_000, 0.3)];
    expect(throughputChecks(rows).info.some(([label]) => label.includes('nginx'))).toBe(false);
    expect(throughputChecks([...rows, row('nginx', 18_000, 0.15)]).info.some(([label]) => label.includes('nginx'))).toBe(true);
  });
});

describe('bandwidthChecks', () => {
  it('judges each direction by its error against the requested rate', () => {
    const rate = (label: string, kbps: number) => ({ label, bytes: 1, ms: 1, kbps, requestedKbps: 8000, errorPercent: ((kbps - 8000) / 8000) * 100 });
    const checks = bandwidthChecks({ download: rate('down', 7700), upload: rate('up', 8500), parallel: rate('both', 8100) });
    expect(checks.map((c) => [c.value, c.pass])).toEqual([
      ['-3.8 %', true],
      ['+6.3 %', false],
      ['+1.3 %', true],
    ]);
  });
});

describe('checksTable', () => {
  it('prints PASS or FAIL after each check and marks reference figures', () => {
    const text = checksTable(
      [
        { label: 'a', value: '1', target: '< 2', pass: true },
        { label: 'b', value: '3', target: '< 2', pass: false },
      ],
      [['c', '4']],
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^ {2}a .*target < 2 {2}PASS$/);
    expect(lines[1]).toMatch(/FAIL$/);
    expect(lines[2]).toMatch(/\(reference\)$/);
  });
});
