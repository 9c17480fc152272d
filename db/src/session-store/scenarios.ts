import { ScenarioShapingSchema, type ScenarioShaping } from '@downspin/protocol';
import type { SqlClient } from '../sql/client.js';
import type { PutScenarioInput, ScenarioRecord } from './store.js';

/** The scenarios half of the SQL session store: the same statements on PGlite and PostgreSQL. */

interface ScenarioRow {
  name: string;
  version: number;
  description: string;
  shaping: unknown;
  updated_at: Date;
  updated_by: string;
}

const COLUMNS = 'name, version, description, shaping, updated_at, updated_by';

// Stored definitions were validated on the way in; one that no longer parses (a later schema
// refused it) reads as shaping nothing rather than failing every list.
const NOTHING: ScenarioShaping = ScenarioShapingSchema.parse({ profile: {} });

function toScenarioRecord(row: ScenarioRow): ScenarioRecord {
  const parsed = ScenarioShapingSchema.safeParse(row.shaping);
  return {
    name: row.name,
    version: row.version,
    description: row.description,
    shaping: parsed.success ? parsed.data : NOTHING,
    updatedAt: row.updated_at.getTime(),
    updatedBy: row.updated_by,
  };
}

export async function listScenarios(client: SqlClient): Promise<ScenarioRecord[]> {
  const { rows } = await client.query<ScenarioRow>(`SELECT ${COLUMNS} FROM scenarios ORDER BY name`);
  return rows.map(toScenarioRecord);
}

export async function getScenario(client: SqlClient, name: string): Promise<ScenarioRecord | undefined> {
  const { rows } = await client.query<ScenarioRow>(`SELECT ${COLUMNS} FROM scenarios WHERE name = $1`, [name]);
  return rows[0] && toScenarioRecord(rows[0]);
}

/** The upsert locks the row, so concurrent saves of one name queue and get consecutive versions. */
export async function putScenario(client: SqlClient, input: PutScenarioInput): Promise<ScenarioRecord> {
  const { rows } = await client.query<ScenarioRow>(
    `INSERT INTO scenarios AS s (name, version, description, shaping, updated_by) VALUES ($1, 1, $2, $3::jsonb, $4)
     ON CONFLICT (name) DO UPDATE SET version = s.version + 1, description = EXCLUDED.description,
       shaping = EXCLUDED.shaping, updated_by = EXCLUDED.updated_by, updated_at = now()
     RETURNING ${COLUMNS}`,
    [input.name, input.description, JSON.stringify(input.shaping), input.updatedBy],
  );
  return toScenarioRecord(rows[0]!);
}

export async function deleteScenario(client: SqlClient, name: string): Promise<ScenarioRecord | undefined> {
  const { rows } = await client.query<ScenarioRow>(`DELETE FROM scenarios WHERE name = $1 RETURNING ${COLUMNS}`, [name]);
  return rows[0] && toScenarioRecord(rows[0]);
}
