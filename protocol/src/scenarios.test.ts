import { describe, expect, it } from 'vitest';
import {
  explainShaping,
  explainTimelineStep,
  presetProfile,
  ScenarioFileSchema,
  ScenarioNameSchema,
  ScenarioPutBodySchema,
  scenarioState,
  ShapingStateSchema,
} from './index.js';

describe('ScenarioNameSchema', () => {
  it('takes the names a team gives its scenarios', () => {
    for (const name of ['checkout API outage', 'train tunnel', 'flaky 4G', 'v2.1_slow-(eu)', 'a'])
      expect(ScenarioNameSchema.safeParse(name).success, name).toBe(true);
  });

  it('refuses quotes, slashes, control characters, edge spaces, 81 characters and preset names', () => {
    for (const name of ['', ' lead', 'trail ', 'say "hi"', 'a/b', 'tab\there', 'x'.repeat(81), 'slow-3g', 'Fast-3G', 'none'])
      expect(ScenarioNameSchema.safeParse(name).success, name).toBe(false);
  });
});

describe('scenarioState', () => {
  const ref = { name: 'checkout outage', version: 3 };

  it('gives a profile definition its profile, tagged with the scenario', () => {
    const body = ScenarioPutBodySchema.parse({ shaping: { profile: { latency: { ms: 400 } } } });
    const state = scenarioState(body.shaping, ref, 0);
    expect(ShapingStateSchema.parse(state)).toEqual(state);
    expect(state).toMatchObject({ mode: 'profile', scenario: ref, profile: { latency: { ms: 400 } } });
    expect(explainShaping(state)).toBe('scenario "checkout outage" v3: latency 400 ms');
  });

  it('turns a preset definition into the preset profile and keeps the preset name in the words', () => {
    const state = scenarioState({ preset: 'slow-3g' }, ref, 0);
    expect(state).toMatchObject({ mode: 'profile', preset: 'slow-3g', profile: presetProfile('slow-3g') });
    expect(explainShaping(state)).toMatch(/^scenario "checkout outage" v3: slow-3g \(latency/);
  });

  it('starts a timeline definition at `now`, its steps labelled with the scenario', () => {
    const { shaping } = ScenarioFileSchema.parse({
      name: 'train tunnel',
      shaping: { steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 5000, profile: { faults: { errorRate: 1 } } }] },
    });
    const state = scenarioState(shaping, { name: 'train tunnel', version: 1 }, 1234);
    if (state.mode !== 'timeline') throw new Error(`expected a timeline, got ${state.mode}`);
    expect(state.startedAt).toBe(1234);
    expect(explainShaping(state)).toBe('scenario "train tunnel" v1: timeline of 2 steps over 5000 ms');
    expect(explainTimelineStep(state.steps, 1, state.scenario)).toBe('scenario "train tunnel" v1: timeline step 2/2: faults 100% 503');
  });

  it('keeps the scenario on an empty profile, where a plain empty profile is no shaping', () => {
    expect(scenarioState({ profile: {} }, undefined, 0)).toEqual({ mode: 'none' });
    expect(explainShaping(scenarioState({ profile: {} }, ref, 0))).toBe('scenario "checkout outage" v3: no shaping');
  });
});

describe('ScenarioFileSchema', () => {
  it('refuses unknown keys and a shaping that is neither a profile, a preset nor steps', () => {
    expect(ScenarioFileSchema.safeParse({ name: 'x', shaping: { profile: {} }, version: 2 }).success).toBe(false);
    expect(ScenarioFileSchema.safeParse({ name: 'x', shaping: { latency: { ms: 1 } } }).success).toBe(false);
    expect(ScenarioFileSchema.safeParse({ name: 'x', shaping: { steps: [] } }).success).toBe(false);
  });
});

describe('stored scenario names', () => {
  it('still read back in states and answers if a preset later takes the name', () => {
    const state = { mode: 'profile', profile: {}, scenario: { name: 'flaky', version: 2 } };
    expect(ShapingStateSchema.safeParse(state).success).toBe(true);
    expect(ScenarioNameSchema.safeParse('flaky').success).toBe(false);
  });
});
