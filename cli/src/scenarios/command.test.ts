import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryBus } from '@downspin/bus';
import { createControlApi, startControlServer, type ControlApi, type RunningControlServer } from '@downspin/control-api';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { ScenarioFileSchema, ScenarioListResponseSchema, sessionHash } from '@downspin/protocol';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_API, EXIT_USAGE } from '../commands/api-command.js';
import { scenariosCommand } from '../commands/scenarios.js';

const KEY = 'cli-scenarios-key-0123456789';

let store: SessionStore;
let bus: MemoryBus;
let app: ControlApi;
let control: RunningControlServer;
let tmp: string;

beforeAll(async () => {
  store = await createPgliteStore();
  bus = new MemoryBus();
  app = await createControlApi({ store, bus, adminKey: KEY, ackTimeoutMs: 400, processMetrics: false });
  control = await startControlServer({ app, port: 0 });
  tmp = await mkdtemp(path.join(tmpdir(), 'downspin-cli-scenarios-'));
});
afterAll(async () => {
  await control?.close();
  await app?.close();
  await bus?.close();
  await store?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Runs `downspin scenarios …` in process against the control API on a real socket. */
async function run(args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const command = scenariosCommand({
    env: { CONTROL_URL: control.url, ADMIN_API_KEY: KEY },
    write: (line) => out.push(line),
    writeErr: (text) => (err += text),
  });
  try {
    await command.parseAsync(args, { from: 'user' });
    return { code: 0, out, err };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode, out, err };
    throw error;
  }
}

const unique = (label: string): string => `${label} ${randomBytes(3).toString('hex')}`;

describe('downspin scenarios', () => {
  it('imports a committed file, lists and gets it, exports it back identical, and bumps the version on re-import', async () => {
    const name = unique('train tunnel');
    const file = path.join(tmp, 'tunnel.json');
    const definition = {
      name,
      description: 'signal drops for 10 s',
      shaping: { steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 5000, preset: 'offline' }, { atMs: 15000, profile: { latency: { ms: 300 } } }] },
    };
    await writeFile(file, JSON.stringify(definition));

    const imported = await run(['import', file]);
    expect(imported).toMatchObject({ code: 0, err: '', out: [`scenario "${name}" saved as version 1`] });

    const list = await run(['ls']);
    expect(list.out[0]).toMatch(/^NAME +VERSION +UPDATED +BY +SHAPING$/);
    expect(list.out.find((line) => line.startsWith(name))).toMatch(/ 1 +\d+s ago +cli \(.+\) +timeline of 3 steps over 15000 ms$/);

    const got = await run(['get', name]);
    expect(got.out.join('\n')).toContain('signal drops for 10 s');
    expect(got.out.find((line) => line.startsWith('+5000 ms'))).toMatch(/timeline step 2\/3: offline \(/);

    const exported = path.join(tmp, 'exported.json');
    expect((await run(['export', name, exported])).out).toEqual([`scenario "${name}" version 1 written to ${exported}`]);
    const written = ScenarioFileSchema.parse(JSON.parse(await readFile(exported, 'utf8')));
    expect(written).toEqual(ScenarioFileSchema.parse(definition));
    const toStdout = await run(['export', name]);
    expect(ScenarioFileSchema.parse(JSON.parse(toStdout.out.join('\n')))).toEqual(written);

    expect((await run(['import', exported])).out).toEqual([`scenario "${name}" saved as version 2`]);
    const json = ScenarioListResponseSchema.parse(JSON.parse((await run(['ls', '--json'])).out.join('')));
    expect(json.scenarios.find((s) => s.name === name)?.version).toBe(2);
  });

  it('applies a scenario to a session by name; the session names it and its version', async () => {
    const name = unique('checkout outage');
    const file = path.join(tmp, 'outage.json');
    await writeFile(file, JSON.stringify({ name, shaping: { profile: { faults: { errorRate: 1 }, routes: ['/api/checkout*'] } } }));
    await run(['import', file]);
    const id = `cli-${randomBytes(6).toString('hex')}`;

    const applied = await run(['apply', name, '--session', id]);
    expect(applied.code).toBe(0);
    expect(applied.out).toEqual([
      `${await sessionHash(id)}: profile (version 1): scenario "${name}" v1: faults 100% 503 on /api/checkout*; stored (no live proxy to apply it now)`,
    ]);
    expect(await store.getShaping(id)).toMatchObject({ state: { mode: 'profile', scenario: { name, version: 1 } } });
    expect((await store.history(id, 1))[0]).toMatchObject({ kind: 'scenario', body: { name, version: 1 } });
  });

  it('refuses a bad file, a bad name and a missing --session before calling the API; names an unknown scenario', async () => {
    const bad = path.join(tmp, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'x', shaping: { latency: { ms: 1 } } }));
    const refused = await run(['import', bad]);
    expect(refused.code).toBe(EXIT_USAGE);
    expect(refused.err).toMatch(/^invalid_setting: .*bad\.json: shaping/);
    expect((await run(['import', path.join(tmp, 'missing.json')])).err).toMatch(/cannot read .*missing\.json/);
    expect((await run(['get', 'slow-3g'])).err).toMatch(/invalid_setting: <name>: .*preset/);
    expect((await run(['apply', 'anything'])).err).toContain('--session <id> is required');

    const unknown = await run(['apply', unique('nobody made this'), '--session', 's1']);
    expect(unknown.code).toBe(EXIT_API);
    expect(unknown.err).toBe('scenario_not_found: No scenario with that name.\n');
    expect(await store.getShaping('s1')).toBeUndefined();
  });
});
