import { ScenarioResponseSchema, ScenarioShapingSchema } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { axisOf, EMPTY_SCENARIO_FORM, formOf, newStep, scenarioFromForm, type ScenarioForm } from './scenario-form.js';

const form = (over: Partial<ScenarioForm>): ScenarioForm => ({ ...EMPTY_SCENARIO_FORM, name: 'checkout outage', ...over });

describe('scenarioFromForm', () => {
  it('turns a preset profile and a timeline of preset and JSON steps into the PUT body', () => {
    expect(scenarioFromForm(form({ description: 'slow', profile: { source: 'preset', preset: 'wpt-3g', json: '' } }))).toMatchObject({
      ok: true,
      name: 'checkout outage',
      body: { description: 'slow', shaping: { preset: 'wpt-3g' }, updatedBy: 'dashboard' },
    });
    const steps = [newStep(0, 'fast-3g'), { ...newStep(4000), source: 'json' as const, json: '{"faults":{"errorRate":0.5}}' }];
    expect(scenarioFromForm(form({ kind: 'timeline', steps }))).toMatchObject({
      ok: true,
      body: { shaping: { steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 4000, profile: { faults: { errorRate: 0.5 } } }] } },
    });
  });

  it('names the field at fault before anything is sent', () => {
    expect(scenarioFromForm(form({ name: 'slow-3g' }))).toEqual({ ok: false, error: 'Name: a scenario may not take the name of a preset' });
    expect(scenarioFromForm(form({ name: 'say "hi"' }))).toMatchObject({ ok: false, error: expect.stringMatching(/^Name: /) });
    const badJson = { ...newStep(0), source: 'json' as const, json: '{"latency":{"ms":-5}}' };
    expect(scenarioFromForm(form({ kind: 'timeline', steps: [newStep(0), badJson] }))).toMatchObject({ ok: false, error: expect.stringMatching(/^Step 2: Latency: Too small/) });
    expect(scenarioFromForm(form({ kind: 'timeline', steps: [newStep(0), { ...newStep(0), atMs: '1.5' }] }))).toEqual({
      ok: false,
      error: 'Step 2: the time is whole milliseconds',
    });
    expect(scenarioFromForm(form({ kind: 'timeline', steps: [newStep(5000), newStep(1000)] }))).toMatchObject({ ok: false, error: expect.stringContaining('in order of atMs') });
  });

  it('reads a stored scenario back into the same fields', () => {
    const { scenario } = ScenarioResponseSchema.parse({
      scenario: {
        name: 'train tunnel',
        version: 2,
        description: 'drops',
        shaping: { steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 3000, profile: { latency: { ms: 900 } } }] },
        updatedAt: '2026-12-05T21:00:00.000Z',
        updatedBy: 'cli (ana)',
      },
    });
    const fields = formOf(scenario);
    expect(fields).toMatchObject({ name: 'train tunnel', description: 'drops', kind: 'timeline' });
    const again = scenarioFromForm(fields);
    expect(again.ok && again.shaping).toEqual(scenario.shaping);
  });
});

describe('axisOf', () => {
  it('places each step from its time to the next, the last running to the end', () => {
    const shaping = ScenarioShapingSchema.parse({ steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 2000, preset: 'offline' }, { atMs: 8000, profile: {} }] });
    const axis = axisOf(shaping);
    expect(axis.map((s) => [s.atMs, s.leftPercent, s.widthPercent])).toEqual([
      [0, 0, 21.25],
      [2000, 21.25, 63.75],
      [8000, 85, 15],
    ]);
    expect(axis[2]!.words).toBe('timeline step 3/3: no shaping');
  });

  it('spreads steps that all start at 0 evenly, and has nothing for a profile', () => {
    const same = axisOf(ScenarioShapingSchema.parse({ steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 0, preset: 'offline' }] }));
    expect(same.map((s) => s.leftPercent)).toEqual([0, 42.5]);
    expect(axisOf(ScenarioShapingSchema.parse({ preset: 'slow-3g' }))).toEqual([]);
  });
});
