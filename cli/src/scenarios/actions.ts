import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import {
  ScenarioApplyBodySchema,
  ScenarioFileSchema,
  ScenarioListResponseSchema,
  ScenarioNameSchema,
  ScenarioResponseSchema,
  type ScenarioPutBodyInput,
} from '@downspin/protocol';
import { action, applied, parse, sessionPath, SessionsUsageError, type SessionAction } from '../sessions/actions.js';
import { scenarioDetail, scenarioFile, scenarioTable } from './format.js';

const scenarioPath = (name: string): string => `/admin/scenarios/${encodeURIComponent(parse(ScenarioNameSchema, name, '<name>'))}`;

/** Who saved a version from this CLI, e.g. "cli (ana)": shown beside each version. */
function cliUser(): string {
  try {
    return `cli (${userInfo().username})`.slice(0, 100);
  } catch {
    return 'cli';
  }
}

/** A scenario file (`downspin scenarios export` writes them), checked against the protocol schema. */
function readScenarioFile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SessionsUsageError(`<file>: cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SessionsUsageError(`<file>: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parse(ScenarioFileSchema, json, file);
}

export const SCENARIO_ACTIONS: readonly SessionAction[] = [
  action({
    name: 'ls',
    description: 'list scenarios by name, with their version and what they shape',
    args: [],
    options: [],
    request: () => ({ method: 'GET', path: '/admin/scenarios' }),
    answer: ScenarioListResponseSchema,
    show: (answer, now) => scenarioTable(answer.scenarios, now),
  }),
  action({
    name: 'get',
    description: "one scenario: its version, description and shaping (a timeline's steps by time)",
    args: ['<name>'],
    options: [],
    request: ([name]) => ({ method: 'GET', path: scenarioPath(name!) }),
    answer: ScenarioResponseSchema,
    show: (answer) => scenarioDetail(answer.scenario),
  }),
  action({
    name: 'apply',
    description: "shape a session with the scenario's current version",
    args: ['<name>'],
    options: [['--session <id>', 'the session: a hash or the session id (required)']],
    request([name], flags) {
      if (typeof flags.session !== 'string') throw new SessionsUsageError('--session <id> is required');
      const body = parse(ScenarioApplyBodySchema, { name }, '<name>');
      return { method: 'PUT', path: sessionPath(flags.session, '/scenario'), body };
    },
    ...applied,
  }),
  action({
    name: 'import',
    description: 'save a scenario file (as export writes them); its name gets the next version',
    args: ['<file>'],
    options: [],
    request([file]) {
      const { name, description, shaping } = readScenarioFile(file!);
      const body: ScenarioPutBodyInput = { description, shaping, updatedBy: cliUser() };
      return { method: 'PUT', path: scenarioPath(name), body };
    },
    answer: ScenarioResponseSchema,
    show: ({ scenario }) => [`scenario "${scenario.name}" saved as version ${scenario.version}`],
  }),
  action({
    name: 'export',
    description: 'write a scenario as a JSON file to commit beside the tests (stdout without [file])',
    args: ['<name>', '[file]'],
    options: [],
    request: ([name]) => ({ method: 'GET', path: scenarioPath(name!) }),
    answer: ScenarioResponseSchema,
    async show({ scenario }, _now, [, file]) {
      const text = `${JSON.stringify(scenarioFile(scenario), null, 2)}\n`;
      if (file === undefined) return text.trimEnd().split('\n');
      await writeFile(file, text);
      return [`scenario "${scenario.name}" version ${scenario.version} written to ${file}`];
    },
  }),
];
