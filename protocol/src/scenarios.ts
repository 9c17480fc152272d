import { z } from 'zod';
import { ProfileBodySchema, TimelineBodySchema, type ProfileBody, type TimelineBody } from './commands.js';
import { explainShaping } from './explain.js';
import { isEmptyProfile } from './profile.js';
import { presetProfile } from './presets.js';
import { ScenarioNameSchema, StoredScenarioNameSchema, type ScenarioRef } from './scenario-name.js';
import type { ShapingState } from './shaping.js';
import { plainText } from './text.js';

/*
 * Scenarios: named, versioned shaping definitions a team keeps in the
 * session store and applies by name (dashboard, CLI, Playwright fixture).
 * A definition is exactly a body the profile or timeline command takes, so
 * applying a scenario and sending that body give the same shaping.
 */

/** What a scenario shapes: `{ profile }`, `{ preset }` (PUT …/profile's body) or `{ steps }` (POST …/timeline's body). */
export const ScenarioShapingSchema = z.union([...ProfileBodySchema.options, TimelineBodySchema], {
  error: 'shaping must be { "profile": {...} }, { "preset": "<name>" } or { "steps": [...] }',
});
export type ScenarioShaping = z.output<typeof ScenarioShapingSchema>;
export type ScenarioShapingInput = z.input<typeof ScenarioShapingSchema>;

const DescriptionSchema = plainText(z.string().trim().max(500));

/** `PUT /admin/scenarios/{name}`: creates the scenario (version 1) or replaces it (version + 1). */
export const ScenarioPutBodySchema = z.strictObject({
  description: DescriptionSchema.default(''),
  shaping: ScenarioShapingSchema,
  /** Who made this version, e.g. "dashboard" or "cli (ana)"; shown beside the version. */
  updatedBy: plainText(z.string().trim().min(1).max(100)).default('api'),
});
export type ScenarioPutBody = z.output<typeof ScenarioPutBodySchema>;
export type ScenarioPutBodyInput = z.input<typeof ScenarioPutBodySchema>;

/** A scenario as the API answers it. */
export const ScenarioSchema = z.object({
  name: StoredScenarioNameSchema,
  version: z.number().int().min(1),
  description: z.string(),
  shaping: ScenarioShapingSchema,
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type Scenario = z.output<typeof ScenarioSchema>;

/** `GET /admin/scenarios`, by name. */
export const ScenarioListResponseSchema = z.object({ scenarios: z.array(ScenarioSchema) });
export type ScenarioListResponse = z.output<typeof ScenarioListResponseSchema>;

/** `GET`, `PUT` and `DELETE /admin/scenarios/{name}`: the scenario (as it was, for a delete). */
export const ScenarioResponseSchema = z.object({ scenario: ScenarioSchema });
export type ScenarioResponse = z.output<typeof ScenarioResponseSchema>;

/** `PUT /admin/sessions/{id}/scenario`: applies the scenario's current version. */
export const ScenarioApplyBodySchema = z.strictObject({ name: ScenarioNameSchema });
export type ScenarioApplyBody = z.output<typeof ScenarioApplyBodySchema>;

/**
 * A scenario as a JSON file a team commits beside its tests
 * (`downspin scenarios export` writes it, `import` reads it). No version:
 * the store numbers versions, the file is the definition.
 */
export const ScenarioFileSchema = z.strictObject({
  name: ScenarioNameSchema,
  description: DescriptionSchema.default(''),
  shaping: ScenarioShapingSchema,
});
export type ScenarioFile = z.output<typeof ScenarioFileSchema>;

/** The state `PUT …/profile` applies: a preset's profile, and nothing to shape (mode none) for an empty one. */
export function profileBodyState(body: ProfileBody, scenario?: ScenarioRef): ShapingState {
  const profile = 'preset' in body ? presetProfile(body.preset) : body.profile;
  const preset = 'preset' in body ? { preset: body.preset } : {};
  // A scenario keeps its name even when it shapes nothing: the session shows which one is in force.
  if (isEmptyProfile(profile) && scenario === undefined) return { mode: 'none' };
  return { mode: 'profile', profile, ...preset, ...(scenario ? { scenario } : {}) };
}

/** The state `POST …/timeline` applies: steps by the clock from `startedAt`, presets turned into their profiles. */
export function timelineBodyState(body: TimelineBody, startedAt: number, scenario?: ScenarioRef): ShapingState {
  const steps = body.steps.map((step) =>
    'preset' in step ? { atMs: step.atMs, profile: presetProfile(step.preset), preset: step.preset } : step,
  );
  return { mode: 'timeline', startedAt, steps, ...(scenario ? { scenario } : {}) };
}

/** The state applying a scenario gives: its definition's, tagged with its name and version. */
export function scenarioState(shaping: ScenarioShaping, scenario: ScenarioRef | undefined, now: number): ShapingState {
  return 'steps' in shaping ? timelineBodyState(shaping, now, scenario) : profileBodyState(shaping, scenario);
}

/** Words for what a scenario shapes, as a session shaped by it shows them (without the scenario's name). */
export function explainScenarioShaping(shaping: ScenarioShaping): string {
  return explainShaping(scenarioState(shaping, undefined, 0));
}
