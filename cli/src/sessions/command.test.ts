import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryBus } from '@downspin/bus';
import { createControlApi, startControlServer, type ControlApi, type RunningControlServer } from '@downspin/control-api';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { presetProfile, sessionHash, SessionListResponseSchema, type ClientDelivery } from '@downspin/protocol';
import { eventually } from '@downspin/testing';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_API, EXIT_NOT_ACKNOWLEDGED, EXIT_USAGE, sessionsCommand } from '../commands/sessions.js';

const KEY = 'cli-test-key-0123456789';
const newId = (): string => `cli-${randomBytes(6).toString('hex')}`;

let store: SessionStore;
let bus: MemoryBus;
let app: ControlApi;
let control: RunningControlServer;
let stopProxy: () => Promise<void>;
let tmp: string;

/** A proxy that announces itself and acknowledges every command (or, muted, none). */
async function fakeProxy(proxyId: string, acks = true): Promise<() => Promise<void>> {
  const stop = await bus.subscribe('commands', async (command) => {
    if (acks) {
      await bus.publish('acks', { type: 'ack', commandId: command.commandId, proxyId, sessionId: command.shaping.sessionId, version: command.shaping.version });
    }
  });
  await bus.publish('presence', { type: 'presence', proxyId, startedAt: Date.now(), at: Date.now(), sessions: 0, connections: 0, requestsPerSecond: 0, alive: true });
  return async () => {
    await bus.publish('presence', { type: 'presence', proxyId, startedAt: Date.now(), at: Date.now(), sessions: 0, connections: 0, requestsPerSecond: 0, alive: false });
    await stop();
  };
}

beforeAll(async () => {
  store = await createPgliteStore();
  bus = new MemoryBus();
  app = await createControlApi({ store, bus, adminKey: KEY, ackTimeoutMs: 400, processMetrics: false });
  control = await startControlServer({ app, port: 0 });
  stopProxy = await fakeProxy('proxy-cli');
  await eventually(() => expect(app.proxies.liveIds()).toEqual(['proxy-cli']));
  tmp = await mkdtemp(path.join(tmpdir(), 'downspin-cli-sessions-'));
});
afterAll(async () => {
  await stopProxy?.();
  await control?.close();
  await app?.close();
  await bus?.close();
  await store?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string[];
  err: string;
}

/** Runs `downspin sessions …` in process against the control API on a real socket. */
async function run(args: string[], env: Record<string, string | undefined> = {}, fetchImpl?: typeof fetch): Promise<Run> {
  const out: string[] = [];
  let err = '';
  const command = sessionsCommand({
    env: { CONTROL_URL: control.url, ADMIN_API_KEY: KEY, ...env },
    write: (line) => out.push(line),
    writeErr: (text) => (err += text),
    fetch: fetchImpl,
  });
  try {
    await command.parseAsync(args, { from: 'user' });
    return { code: 0, out, err };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode, out, err };
    throw error;
  }
}

describe('downspin sessions: shaping', () => {
  it('downspins by id and by hash, waits for the proxy, and shows it in the table', async () => {
    const id = newId();
    const hash = await sessionHash(id);
    const down = await run(['downspin', id, '--latency-ms', '1500']);
    expect(down).toMatchObject({ code: 0, err: '' });
    expect(down.out).toEqual([`${hash}: downspin (version 1): downspin: latency 1500 ms; applied by proxy-cli`]);
    expect(await store.getShaping(id)).toMatchObject({ version: 1, state: { mode: 'downspin', latencyMs: 1500 } });

    const up = await run(['upspin', hash]);
    expect(up.out[0]).toMatch(new RegExp(`^${hash}: upspin \\(version 2\\)`));

    await run(['downspin', id]);
    const list = await run(['ls', '--filter', 'throttled']);
    expect(list.code).toBe(0);
    expect(list.out[0]).toMatch(/^HASH +MODE +RISK/);
    const row = list.out.find((line) => line.startsWith(hash));
    expect(row).toMatch(/ downspin .* downspin: latency 2000 ms$/);
    expect(list.out.join('\n')).not.toContain(id);
  });

  it('prints the API answer with --json for machines', async () => {
    const id = newId();
    await run(['upspin', id]);
    const listed = await run(['ls', '--json', '--limit', '1000']);
    const { sessions } = SessionListResponseSchema.parse(JSON.parse(listed.out.join('')));
    expect(sessions.find((s) => s.mode === 'upspin')).toBeDefined();
    const shown = await run(['show', id, '--json']);
    expect(JSON.parse(shown.out.join(''))).toMatchObject({ session: { hash: await sessionHash(id), mode: 'upspin' }, history: [{ kind: 'upspin', version: 1 }] });
  });

  it('applies presets and profiles (inline or from a file), terminates with a reason, and shows the history', async () => {
    const id = newId();
    expect((await run(['profile', id, '--preset', 'slow-3g'])).out[0]).toContain('(version 1)');
    expect(await store.getShaping(id)).toMatchObject({ state: { mode: 'profile', preset: 'slow-3g', profile: presetProfile('slow-3g') } });

    expect((await run(['profile', id, '--profile', '{"latency":{"ms":250}}'])).code).toBe(0);
    expect(await store.getShaping(id)).toMatchObject({ version: 2, state: { profile: { latency: { ms: 250 } } } });
    const file = path.join(tmp, 'profile.json');
    await writeFile(file, JSON.stringify({ rateLimit: { rps: 5, burst: 10 } }));
    expect((await run(['profile', id, '--profile', `@${file}`])).code).toBe(0);
    expect(await store.getShaping(id)).toMatchObject({ version: 3, state: { profile: { rateLimit: { rps: 5, burst: 10 } } } });

    const ended = await run(['terminate', id, '--reason', 'test over']);
    expect(ended.out[0]).toContain('terminated: test over');

    const shown = await run(['show', id]);
    expect(shown.out[0]).toBe(`session       ${await sessionHash(id)}`);
    expect(shown.out).toContain('mode          terminated (version 4)');
    expect(shown.out.filter((line) => /^\d+ +(profile|terminate) /.test(line)).map((line) => line.split(/ +/).slice(0, 2).join(' '))).toEqual([
      '4 terminate',
      '3 profile',
      '2 profile',
      '1 profile',
    ]);
  });

  it('sends a notification to the session’s page over the client channel', async () => {
    const id = newId();
    const seen: ClientDelivery[] = [];
    const stop = await bus.subscribe('client', (d) => {
      if (d.sessionId === id) seen.push(d);
    });
    const sent = await run(['notify', id, 'Deploy', 'in', '5', 'minutes', '--type', 'warning']);
    expect(sent.code).toBe(0);
    expect(sent.out[0]).toMatch(/^notification \S+ \(warning\) sent: Deploy in 5 minutes$/);
    await eventually(() => expect(seen.map((d) => d.message)).toEqual([expect.objectContaining({ type: 'notify', message: 'Deploy in 5 minutes', level: 'warning' })]));
    await stop();
  });

  it('exits 3 when a live proxy did not acknowledge in time (the change is stored)', async () => {
    const stopMute = await fakeProxy('proxy-mute', false);
    try {
      await eventually(() => expect(app.proxies.liveIds()).toHaveLength(2));
      const id = newId();
      const result = await run(['downspin', id]);
      expect(result.code).toBe(EXIT_NOT_ACKNOWLEDGED);
      expect(result.out[0]).toContain('NOT acknowledged in time by proxy-mute');
      expect(result.err.trim()).toBe('not_acknowledged: version 1 is stored, but proxy-mute did not acknowledge it in time');
      expect(await store.getShaping(id)).toMatchObject({ version: 1 });
    } finally {
      await stopMute();
    }
  });
});

describe('downspin sessions: errors are one line and a non-zero exit', () => {
  it('prints the API’s code and message', async () => {
    const missing = await run(['show', 'ffffffffffff']);
    expect(missing.code).toBe(EXIT_API);
    expect(missing.err).toBe('session_not_found: No session with that hash or id.\n');

    const wrongKey = await run(['ls'], { ADMIN_API_KEY: 'not-the-key-0123456789' });
    expect(wrongKey.code).toBe(EXIT_API);
    expect(wrongKey.err).toMatch(/^unauthorized: Missing or wrong API key[^\n]*\n$/);
  });

  it('names an answer that is not what the API promises, or not the API at all', async () => {
    const answering = (res: Response): typeof fetch => async () => res;
    const odd = await run(['ls'], {}, answering(Response.json({ sessions: [{ hash: 1 }] })));
    expect(odd.code).toBe(EXIT_API);
    expect(odd.err).toMatch(/^bad_response: [^\n]* answered \/admin\/sessions\?filter=all&limit=100 with an unexpected body: sessions\.0\.hash: [^\n]*\n$/);

    const gateway = await run(['ls'], {}, answering(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })));
    expect(gateway.code).toBe(EXIT_API);
    expect(gateway.err).toMatch(/^http_502: [^\n]* answered 502 with something other than JSON: <html>bad gateway<\/html>\n$/);
  });

  it('names an unreachable control API', async () => {
    const closed = await startControlServer({ app, port: 0 });
    const url = closed.url;
    await closed.close();
    const result = await run(['ls'], { CONTROL_URL: url });
    expect(result.code).toBe(EXIT_API);
    expect(result.err).toMatch(new RegExp(`^unreachable: cannot reach the control API at ${url.replace(/[.]/g, '\\.')}: ECONNREFUSED\\n$`));
  });

  it('refuses bad flags before sending anything (exit 2), naming the flag', async () => {
    const before = (await store.listSessions('all', 1000)).length;
    const cases: [string[], RegExp][] = [
      [['downspin', newId(), '--latency-ms', 'soon'], /^invalid_setting: --latency-ms: .*number/],
      [['downspin', newId(), '--latency-ms', '-5'], /^invalid_setting: --latency-ms: expected 0 or more/],
      [['profile', newId(), '--preset', 'warp-speed'], /^invalid_setting: --preset: .*slow-3g/],
      [['profile', newId(), '--preset', 'slow-3g', '--profile', '{}'], /^invalid_setting: give exactly one of --preset or --profile/],
      [['profile', newId(), '--profile', '{"latency":{"ms":-1}}'], /^invalid_setting: --profile: latency\.ms: /],
      [['profile', newId(), '--profile', '{nope'], /^invalid_setting: --profile: not valid JSON/],
      [['notify', newId(), 'hi', '--type', 'shout'], /^invalid_setting: notify: type: /],
      [['ls', '--filter', 'everything'], /^invalid_setting: flags: filter: /],
      [['ls', '--limit', '0'], /^invalid_setting: flags: limit: /],
      [['show', 'not a valid id!'], /^invalid_setting: <id>: /],
      [['ls', '--control-url', 'ftp://somewhere'], /^invalid_setting: bad setting: --control-url="ftp:\/\/somewhere": expected a http or https URL/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(EXIT_USAGE);
      expect(result.err, args.join(' ')).toMatch(message);
      expect(result.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(await store.listSessions('all', 1000)).toHaveLength(before);
  });
});

describe('downspin sessions: the key', () => {
  it('reads the key the embedded default keeps in the data dir', async () => {
    const dataDir = path.join(tmp, 'data');
    await rm(dataDir, { recursive: true, force: true });
    const missing = await run(['ls', '--data-dir', dataDir], { ADMIN_API_KEY: undefined });
    expect(missing.code).toBe(EXIT_USAGE);
    expect(missing.err).toMatch(/^invalid_setting: no API key: pass --api-key, set ADMIN_API_KEY, or point --data-dir/);

    await import('node:fs/promises').then((fs) => fs.mkdir(dataDir, { recursive: true }));
    await writeFile(path.join(dataDir, 'admin-key'), `${KEY}\n`, { mode: 0o600 });
    expect((await run(['ls', '--data-dir', dataDir], { ADMIN_API_KEY: undefined })).code).toBe(0);
    expect((await run(['ls'], { ADMIN_API_KEY: undefined, DOWNSPIN_DATA_DIR: dataDir })).code).toBe(0);
    // --api-key wins over both.
    expect((await run(['ls', '--api-key', 'wrong-key-0123456789', '--data-dir', dataDir])).err).toMatch(/^unauthorized: /);
  });
});
