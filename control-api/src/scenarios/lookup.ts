import type { ScenarioRecord, SessionStore } from '@downspin/db';
import { ScenarioNameSchema, type Scenario } from '@downspin/protocol';
import { ApiError } from '../errors.js';
import { describeInputError } from '../validation.js';
import { fromStore } from '../store-errors.js';

/** A scenario name from a path or a body; anything else is 400 `malformed_scenario_name`. */
export function parseScenarioName(raw: string): string {
  const parsed = ScenarioNameSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError('malformed_scenario_name', { message: `The scenario name is invalid: ${describeInputError(parsed.error)}` });
  return parsed.data;
}

/** The stored scenario of that name, or 404 `scenario_not_found`. */
export async function requireScenario(store: SessionStore, name: string): Promise<ScenarioRecord> {
  const record = await fromStore(() => store.getScenario(name));
  if (record === undefined) throw new ApiError('scenario_not_found', { details: { name } });
  return record;
}

/** A scenario as the API answers it. */
export function toScenario(record: ScenarioRecord): Scenario {
  return { ...record, updatedAt: new Date(record.updatedAt).toISOString() };
}
