import {
  describeZodError,
  explainTimelineStep,
  PresetNameSchema,
  ScenarioNameSchema,
  ScenarioPutBodySchema,
  scenarioState,
  type PresetName,
  type Scenario,
  type ScenarioPutBodyInput,
  type ScenarioShaping,
  type ScenarioShapingInput,
} from '@downspin/protocol';
import { profileFromJson } from '../sessions/profile-form.js';

/** Where a profile (the scenario's, or a timeline step's) comes from in the editor. */
export interface ProfilePart {
  source: 'preset' | 'json';
  preset: PresetName;
  /** A profile as JSON, as in the README. */
  json: string;
}

export interface StepForm extends ProfilePart {
  /** Milliseconds from the start, as typed. */
  atMs: string;
}

/** The scenario editor's fields, as typed. */
export interface ScenarioForm {
  name: string;
  description: string;
  kind: 'profile' | 'timeline';
  profile: ProfilePart;
  steps: StepForm[];
}

const DEFAULT_JSON = '{\n  "latency": { "ms": 400 }\n}';

export const newStep = (atMs: number, preset: PresetName = 'slow-3g'): StepForm => ({ atMs: String(atMs), source: 'preset', preset, json: DEFAULT_JSON });

export const EMPTY_SCENARIO_FORM: ScenarioForm = {
  name: '',
  description: '',
  kind: 'profile',
  profile: { source: 'preset', preset: 'slow-3g', json: DEFAULT_JSON },
  steps: [newStep(0, 'fast-3g'), newStep(5000, 'offline')],
};

function partOf(body: { preset: PresetName } | { profile: unknown }): ProfilePart {
  return 'preset' in body
    ? { source: 'preset', preset: body.preset, json: DEFAULT_JSON }
    : { source: 'json', preset: 'slow-3g', json: JSON.stringify(body.profile, null, 2) };
}

/** The editor's fields for a stored scenario. */
export function formOf(scenario: Scenario): ScenarioForm {
  const { shaping } = scenario;
  const base = { ...EMPTY_SCENARIO_FORM, name: scenario.name, description: scenario.description };
  if ('steps' in shaping) {
    return { ...base, kind: 'timeline', steps: shaping.steps.map((step) => ({ atMs: String(step.atMs), ...partOf(step) })) };
  }
  return { ...base, kind: 'profile', profile: partOf(shaping) };
}

type Part = { preset: PresetName } | { profile: unknown };

function bodyOfPart(part: ProfilePart, where: string): { ok: true; part: Part } | { ok: false; error: string } {
  if (part.source === 'preset') return { ok: true, part: { preset: PresetNameSchema.parse(part.preset) } };
  const parsed = profileFromJson(part.json);
  return parsed.ok ? { ok: true, part: { profile: parsed.profile } } : { ok: false, error: `${where}: ${parsed.error}` };
}

export type ScenarioFormResult = { ok: true; name: string; body: ScenarioPutBodyInput; shaping: ScenarioShaping } | { ok: false; error: string };

/** Checks the fields with the protocol's schemas; the error names the field, before anything is sent. */
export function scenarioFromForm(form: ScenarioForm): ScenarioFormResult {
  const name = ScenarioNameSchema.safeParse(form.name.trim());
  if (!name.success) return { ok: false, error: `Name: ${name.error.issues.map((i) => i.message).join('; ')}` };
  let shaping: ScenarioShapingInput;
  if (form.kind === 'profile') {
    const part = bodyOfPart(form.profile, 'Profile');
    if (!part.ok) return part;
    shaping = part.part as ScenarioShapingInput;
  } else {
    const steps: unknown[] = [];
    for (const [i, step] of form.steps.entries()) {
      const atMs = Number(step.atMs.trim());
      if (step.atMs.trim() === '' || !Number.isInteger(atMs)) return { ok: false, error: `Step ${i + 1}: the time is whole milliseconds` };
      const part = bodyOfPart(step, `Step ${i + 1}`);
      if (!part.ok) return part;
      steps.push({ atMs, ...part.part });
    }
    shaping = { steps } as ScenarioShapingInput;
  }
  const body: ScenarioPutBodyInput = { description: form.description, shaping, updatedBy: 'dashboard' };
  const parsed = ScenarioPutBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  return { ok: true, name: name.data, body, shaping: parsed.data.shaping };
}

/** One step on the time axis: where it starts and how wide it is, in percent of the axis. */
export interface AxisStep {
  atMs: number;
  leftPercent: number;
  widthPercent: number;
  words: string;
}

/** Room the last step (in force from its time on) takes at the end of the axis. */
const TAIL_PERCENT = 15;

/**
 * A timeline's steps laid out on a time axis: each from its `atMs` to the
 * next step's, the last one running on to the end. Empty for a profile.
 */
export function axisOf(shaping: ScenarioShaping): AxisStep[] {
  const state = scenarioState(shaping, undefined, 0);
  if (state.mode !== 'timeline') return [];
  const { steps } = state;
  const span = steps[steps.length - 1]!.atMs;
  const scale = span === 0 ? 0 : (100 - TAIL_PERCENT) / span;
  return steps.map((step, i) => {
    const left = span === 0 ? (i * (100 - TAIL_PERCENT)) / steps.length : step.atMs * scale;
    const next = i + 1 < steps.length ? (span === 0 ? ((i + 1) * (100 - TAIL_PERCENT)) / steps.length : steps[i + 1]!.atMs * scale) : 100;
    return { atMs: step.atMs, leftPercent: left, widthPercent: next - left, words: explainTimelineStep(steps, i) };
  });
}
