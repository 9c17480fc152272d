import { z } from 'zod';
import { PRESET_NAMES } from './presets.js';

/**
 * A scenario's name, e.g. "checkout API outage": what the dashboard, the
 * CLI and `shaper.apply('<name>')` call it by. It appears in URL paths and
 * in quoted telemetry labels, so it is a short run of letters, digits,
 * spaces and `. _ ( ) -`, without quotes. A preset's name is refused: a
 * string that names a preset always means the preset, everywhere.
 */
export const SCENARIO_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 ._()-]{0,78}[A-Za-z0-9._()-])?$/;

const PRESETS = new Set<string>(PRESET_NAMES);

/** Whether `name` is a preset's name (case-insensitive): such a name never means a scenario. */
export function isPresetName(name: string): boolean {
  return PRESETS.has(name.toLowerCase());
}

/**
 * A stored scenario's name as read back (states, answers): the pattern only. A preset
 * added later under a name a team already used must not make stored states unreadable.
 */
export const StoredScenarioNameSchema = z
  .string()
  .regex(SCENARIO_NAME_PATTERN, 'a scenario name is 1-80 letters, digits, spaces and . _ ( ) -, starting and ending with neither a space');

/** A scenario name as given (API paths and bodies, files, the dashboard's editor). */
export const ScenarioNameSchema = StoredScenarioNameSchema.refine((name) => !isPresetName(name), {
  message: 'a scenario may not take the name of a preset',
});

/** Which scenario (and which version of it) a session's shaping came from. */
export const ScenarioRefSchema = z.strictObject({
  name: StoredScenarioNameSchema,
  version: z.number().int().min(1),
});
export type ScenarioRef = z.output<typeof ScenarioRefSchema>;
