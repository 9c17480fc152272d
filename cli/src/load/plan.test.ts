import { describe, expect, it } from 'vitest';
import { LoadPlan } from './plan.js';

describe('LoadPlan', () => {
  const plan = new LoadPlan([
    { name: 'base', rps: 10, seconds: 2 },
    { name: 'spike', rps: 80, seconds: 2 },
    { name: 'cooldown', rps: 5, seconds: 2 },
  ]);

  it('schedules rps × seconds requests per phase, back to back', () => {
    expect(plan.totalRequests).toBe(20 + 160 + 10);
    expect(plan.durationMs).toBe(6000);
    expect(plan.phases.map((phase) => [phase.name, phase.startMs, phase.endMs, phase.firstIndex, phase.count])).toEqual([
      ['base', 0, 2000, 0, 20],
      ['spike', 2000, 4000, 20, 160],
      ['cooldown', 4000, 6000, 180, 10],
    ]);
  });

  it('spaces requests evenly inside a phase, whatever came before', () => {
    expect(plan.timeOf(0)).toBe(0);
    expect(plan.timeOf(1)).toBe(100);
    expect(plan.timeOf(19)).toBe(1900);
    expect(plan.timeOf(20)).toBe(2000);
    expect(plan.timeOf(21)).toBe(2012.5);
    expect(plan.timeOf(180)).toBe(4000);
    expect(plan.timeOf(189)).toBe(5800);
    expect(plan.timeOf(190)).toBe(Infinity);
  });

  it('counts requests due by a time, including the one due exactly then', () => {
    expect(plan.dueBy(0)).toBe(1);
    expect(plan.dueBy(99.9)).toBe(1);
    expect(plan.dueBy(100)).toBe(2);
    expect(plan.dueBy(1999)).toBe(20);
    expect(plan.dueBy(2000)).toBe(21);
    expect(plan.dueBy(2999)).toBe(20 + 80);
    expect(plan.dueBy(60_000)).toBe(190);
    // dueBy and timeOf agree on every request.
    for (let index = 0; index < plan.totalRequests; index++) {
      expect(plan.dueBy(plan.timeOf(index))).toBe(index + 1);
    }
  });

  it('skips phases with no rate or no time and keeps fractional rates exact', () => {
    const gaps = new LoadPlan([
      { name: 'base', rps: 0, seconds: 3 },
      { name: 'spike', rps: 0.5, seconds: 4 },
      { name: 'cooldown', rps: 100, seconds: 0 },
    ]);
    expect(gaps.totalRequests).toBe(2);
    expect([gaps.timeOf(0), gaps.timeOf(1), gaps.timeOf(2)]).toEqual([3000, 5000, Infinity]);
    expect(gaps.dueBy(2999)).toBe(0);
    expect(gaps.phaseAt(1000)?.name).toBe('base');
    expect(gaps.phaseAt(6999)?.name).toBe('spike');
    expect(gaps.phaseAt(7000)).toBeUndefined();
    // 0.1 × 30 is 3.0000000000000004 in binary; 0.3 × 10 is 2.9999999999999996.
    expect(new LoadPlan([{ name: 'base', rps: 0.3, seconds: 10 }]).totalRequests).toBe(3);
  });
});
