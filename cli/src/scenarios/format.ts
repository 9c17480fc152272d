import { explainScenarioShaping, explainTimelineStep, scenarioState, type Scenario, type ScenarioFile } from '@downspin/protocol';
import { ago, table } from '../sessions/format.js';


/** `downspin scenarios ls`: one row per scenario, by name. */
export function scenarioTable(scenarios: readonly Scenario[], now: number): string[] {
  if (scenarios.length === 0) return ['no scenarios'];
  return table(
    ['NAME', 'VERSION', 'UPDATED', 'BY', 'SHAPING'],
    scenarios.map((s) => [s.name, String(s.version), ago(s.updatedAt, now), s.updatedBy, explainScenarioShaping(s.shaping)]),
  );
}

/** `downspin scenarios get`: the scenario, then a timeline's steps by their time. */
export function scenarioDetail(scenario: Scenario): string[] {
  const lines = table(
    ['scenario', scenario.name],
    [
      ['version', `${scenario.version} (${scenario.updatedAt} by ${scenario.updatedBy})`],
      ['description', scenario.description || '-'],
      ['shaping', explainScenarioShaping(scenario.shaping)],
    ],
  );
  const state = scenarioState(scenario.shaping, undefined, 0);
  if (state.mode !== 'timeline') return lines;
  return [...lines, '', ...table(['AT', 'STEP'], state.steps.map((step, i) => [`+${step.atMs} ms`, explainTimelineStep(state.steps, i)]))];
}

/** The file `downspin scenarios export` writes and `import` reads: the definition, no version. */
export function scenarioFile(scenario: Scenario): ScenarioFile {
  return { name: scenario.name, description: scenario.description, shaping: scenario.shaping };
}
