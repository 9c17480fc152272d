import { describe, expect, it } from 'vitest';
import { CONTROL_TARGET, cpuInfo, overheadChecks, TELEMETRY_TARGETS } from './telemetry.js';
import { throughputRow } from '../test-support/throughput-row.js';

const row = (name: string, ...rounds: number[]) => throughputRow(name, rounds);

describe('telemetry section figures', () => {
  it('passes a telemetry mode at 0.95 of telemetry off and fails it below', () => {
    const { checks } = overheadChecks([row(TELEMETRY_TARGETS.off, 1000), row(TELEMETRY_TARGETS.memory, 950), row(TELEMETRY_TARGETS.clickhouse, 949)]);
    expect(checks.map((c) => [c.value, c.target, c.pass])).toEqual([
      ['0.95', '≥ 0.95', true],
      ['0.95', '≥ 0.95', false],
    ]);
  });

  it('judges each round against telemetry off in the same round, so the host slowing down mid-run does not count as cost', () => {
    // The host halves its speed after round 2; memory costs 3 % in every round.
    const off = row(TELEMETRY_TARGETS.off, 8000, 8000, 4000, 4000, 4000);
    const memory = row(TELEMETRY_TARGETS.memory, 7760, 7760, 3880, 3880, 3880);
    const { checks, info } = overheadChecks([off, memory, row(CONTROL_TARGET, 8000, 8000, 4000, 4000, 4000)]);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ value: '0.97', pass: true });
    expect(checks[0]!.label).toContain('0.97 0.97 0.97 0.97 0.97');
    // The control has no target: it is printed as the measurement's own spread.
    expect(info).toEqual([[expect.stringContaining(CONTROL_TARGET), '1.00']]);
  });

  it("gives each mode's CPU per request, telemetry's share against off, ClickHouse's own CPU and the memory store's fill apart, each with its other threads' part", () => {
    const info = cpuInfo({
      cpu: [
        { name: TELEMETRY_TARGETS.off, mode: 'off', microsPerRequest: 100, otherMicrosPerRequest: 2, requests: 1000 },
        { name: TELEMETRY_TARGETS.memory, mode: 'memory', microsPerRequest: 104.25, otherMicrosPerRequest: 2.25, requests: 1000 },
        { name: TELEMETRY_TARGETS.clickhouse, mode: 'clickhouse', microsPerRequest: 98, otherMicrosPerRequest: 3.5, requests: 1000 },
      ],
      clickhouseMicrosPerRequest: 5.8,
      fill: { rows: 100_000, microsPerRow: 3.14 },
    });
    expect(info.map(([, value]) => value)).toEqual([
      '100.0 µs/request (other threads 2.0)',
      '104.3 µs/request (telemetry +4.3 µs; other threads 2.3, +0.3)',
      '98.0 µs/request (telemetry -2.0 µs; other threads 3.5, +1.5)',
      '5.8 µs/request',
      '3.1 µs/row',
    ]);
    expect(info[2]![0]).toContain("not ClickHouse's");
    expect(info[4]![0]).toContain('filled with 100,000 rows');
    expect(cpuInfo({ cpu: [], clickhouseMicrosPerRequest: undefined, fill: undefined })).toEqual([]);
    // Where the OS does not tell the main thread's CPU, the split is left out, not guessed.
    const untold = cpuInfo({
      cpu: [
        { name: TELEMETRY_TARGETS.off, mode: 'off', microsPerRequest: 100, otherMicrosPerRequest: undefined, requests: 1000 },
        { name: TELEMETRY_TARGETS.memory, mode: 'memory', microsPerRequest: 101, otherMicrosPerRequest: undefined, requests: 1000 },
      ],
      clickhouseMicrosPerRequest: undefined,
      fill: undefined,
    });
    expect(untold.map(([, value]) => value)).toEqual(['100.0 µs/request', '101.0 µs/request (telemetry +1.0 µs)']);
  });
});
