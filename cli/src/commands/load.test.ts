import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { MemoryBus } from '@downspin/bus';
import { ProfileSchema, type SessionShaping } from '@downspin/protocol';
import { startProxy, type RunningProxy } from '@downspin/proxy';
import { startTestUpstream, type TestUpstream } from '@downspin/testing';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecondEvent, SummaryEvent } from '../load/generator.js';
import { loadCommand } from './load.js';

/** Runs `downspin load <args>` in-process and collects what it printed. */
async function load(args: string[], env: NodeJS.ProcessEnv = {}) {
  const lines: string[] = [];
  const errors: string[] = [];
  const command = loadCommand({ env, write: (line) => lines.push(line) })
    .exitOverride()
    .configureOutput({ writeErr: (text) => errors.push(text), writeOut: (text) => lines.push(text) });
  let exitCode = 0;
  const started = performance.now();
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    exitCode = error.exitCode;
  }
  return { lines, errors, exitCode, ms: performance.now() - started };
}

/** `key=value` words of a text line (what a script reading the output would do). */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(line.split(/\s+/).filter((word) => word.includes('=')).map((word) => word.split('=', 2) as [string, string]));
}
const secondLines = (lines: string[]) => lines.filter((line) => line.startsWith('second=')).map(fields);
const summaryOf = (lines: string[], phase: string) => fields(lines.find((line) => line.startsWith('summary') && line.includes(`phase=${phase} `))!);

describe('downspin load over real sockets', () => {
  let upstream: TestUpstream;
  let bus: MemoryBus;
  let proxy: RunningProxy;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    bus = new MemoryBus();
    const shaping: SessionShaping = {
      sessionId: 'load-spike',
      version: 1,
      state: { mode: 'profile', profile: ProfileSchema.parse({ rateLimit: { rps: 20, burst: 20 } }) },
      updatedAt: Date.now(),
    };
    // The abuse guard would ban the session after 50 violations and turn the spike's 429s into 403s.
    proxy = await startProxy({ target: upstream.url, port: 0, bus, loadShaping: async () => [shaping], abuseGuard: { enabled: false } });
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.stop();
    await bus?.close();
  });

  it('shows no 429 while the base rate fits the rate limit, and 429s in the spike', async () => {
    upstream.reset();
    const { lines, exitCode } = await load([
      ...['--url', `${proxy.url}/api/items`, '--session', 'load-spike'],
      ...['--base-rps', '10', '--base-seconds', '2', '--spike-rps', '80', '--spike-seconds', '2', '--cooldown-rps', '5', '--cooldown-seconds', '2'],
    ]);
    expect(exitCode).toBe(0);
    expect(lines[0]).toMatch(/^downspin load: http:\/\/127\.0\.0\.1:\d+\/api\/items session=load-spike: base 10\/s for 2s, spike 80\/s for 2s, cooldown 5\/s for 2s/);

    const seconds = secondLines(lines);
    expect(seconds.slice(0, 6).map((line) => [line.second, line.phase, line.target])).toEqual([
      ['1', 'base', '10/s'],
      ['2', 'base', '10/s'],
      ['3', 'spike', '80/s'],
      ['4', 'spike', '80/s'],
      ['5', 'cooldown', '5/s'],
      ['6', 'cooldown', '5/s'],
    ]);
    for (const line of seconds.filter((l) => l.phase === 'base')) expect(line['429']).toBe('0');
    expect(seconds.filter((l) => l.phase === 'spike').some((line) => Number(line['429']) > 0)).toBe(true);

    // Per phase: 20 tokens plus 20 a second cannot serve 80 a second.
    const base = summaryOf(lines, 'base');
    const spike = summaryOf(lines, 'spike');
    const total = summaryOf(lines, 'total');
    expect(base).toMatchObject({ sent: '20', ok: '20', 429: '0', other: '0', skipped: '0' });
    expect(spike).toMatchObject({ sent: '160', other: '0', skipped: '0' });
    expect(Number(spike['429'])).toBeGreaterThanOrEqual(40);
    expect(Number(spike.ok) + Number(spike['429'])).toBe(160);
    expect(total).toMatchObject({ sent: '190' });
    expect(total.avg).toMatch(/^\d+(\.\d)?ms$/);
    expect(total.p95).toMatch(/^\d+(\.\d)?ms$/);
    // Only what the proxy let through reached the app, without the session header.
    expect(upstream.requests).toHaveLength(Number(total.ok));
    expect(upstream.requests.every((request) => request.headers['x-downspin-session'] === undefined)).toBe(true);
    expect(lines).toContain(lines.find((line) => /^stopped=completed after \d+\.\ds$/.test(line)));
  });

  it('stops at --max-requests', async () => {
    upstream.reset();
    const { lines, exitCode } = await load(['--url', `${proxy.url}/api/items`, '--base-rps', '50', '--base-seconds', '2', '--spike-seconds', '0', '--cooldown-seconds', '0', '--max-requests', '7']);
    expect(exitCode).toBe(0);
    expect(summaryOf(lines, 'total')).toMatchObject({ sent: '7', ok: '7' });
    expect(lines.some((line) => line.startsWith('stopped=max-requests'))).toBe(true);
    expect(upstream.requests).toHaveLength(7);
  });

  it('stops at --max-seconds (from the environment), whatever the phases say', async () => {
    const { lines, exitCode, ms } = await load(['--url', `${proxy.url}/api/items`], { BASE_RPS: '5', BASE_SECONDS: '30', LOAD_MAX_SECONDS: '1' });
    expect(exitCode).toBe(0);
    const stopped = lines.map((line) => /^stopped=max-seconds after (\d+\.\d)s$/.exec(line)).find(Boolean);
    expect(Number(stopped?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(stopped?.[1])).toBeLessThan(3);
    expect(Number(summaryOf(lines, 'total').sent)).toBe(5);
    expect(ms).toBeLessThan(5000);
  });

  it('prints JSON lines with --json, keeps connections alive and caps them at --concurrency', async () => {
    let connections = 0;
    const server = http.createServer((_req, res) => setTimeout(() => res.end('ok'), 5));
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      connections += 1;
      sockets.add(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const { lines, exitCode } = await load(['--url', `http://localhost:${port}/`, '--json', '--concurrency', '3'], { BASE_RPS: '40', BASE_SECONDS: '1', SPIKE_SECONDS: '0', COOLDOWN_SECONDS: '0' });
      expect(exitCode).toBe(0);
      const events = lines.map((line) => JSON.parse(line) as { type: string });
      expect(events[0]).toMatchObject({ type: 'start', url: `http://localhost:${port}/`, concurrency: 3 });
      const seconds = events.filter((event): event is SecondEvent => event.type === 'second');
      expect(seconds[0]).toMatchObject({ second: 1, phase: 'base', targetRps: 40 });
      const summary = events.at(-1) as SummaryEvent;
      expect(summary).toMatchObject({ type: 'summary', stopReason: 'completed' });
      expect(summary.total.sent + summary.total.skipped).toBe(40);
      expect(summary.total.ok).toBe(summary.total.sent);
      expect(summary.total.p95Ms).toBeGreaterThan(0);
      expect(connections).toBeGreaterThan(0);
      expect(connections).toBeLessThanOrEqual(3);
    } finally {
      server.close();
      for (const socket of sockets) socket.destroy();
    }
  });
});

describe('downspin load refuses', () => {
  it('a target that is not loopback, without sending anything', async () => {
    const { lines, errors, exitCode } = await load(['--url', 'http://192.0.2.1:8080/api/items']);
    expect(exitCode).toBe(2);
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      'downspin load: refusing to load 192.0.2.1: not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to load a remote host\n',
    ]);
  });

  it('bad settings, naming the flag or variable in one line', async () => {
    const { errors, exitCode } = await load(['--spike-rps', 'lots'], { LOAD_CONCURRENCY: '0' });
    expect(exitCode).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe(
      'downspin load: bad setting: --spike-rps="lots": expected a number of requests per second; LOAD_CONCURRENCY="0": expected a number from 1 to 10000\n',
    );
  });

  it('to call a run good when nothing answered', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const { errors, exitCode, lines } = await load(['--url', `http://127.0.0.1:${port}/`, '--base-rps', '5', '--base-seconds', '1', '--spike-seconds', '0', '--cooldown-seconds', '0']);
    expect(exitCode).toBe(1);
    expect(summaryOf(lines, 'total')).toMatchObject({ sent: '5', ok: '0', other: '5' });
    expect(lines).toContain('other: ECONNREFUSED ×5');
    expect(errors).toEqual([`downspin load: no answer from http://127.0.0.1:${port}/ (ECONNREFUSED ×5); is the proxy running?\n`]);
  });

  it('nothing with --allow-remote: the run goes ahead, bounded in time', async () => {
    // 192.0.2.0/24 is reserved for documentation: nothing answers there.
    const { lines, exitCode, ms } = await load(
      ['--url', 'http://192.0.2.1:8080/', '--allow-remote', '--max-seconds', '1', '--timeout-ms', '300'],
      { BASE_RPS: '2', SPIKE_SECONDS: '0', COOLDOWN_SECONDS: '0' },
    );
    expect(lines[0]).toMatch(/^downspin load: http:\/\/192\.0\.2\.1:8080\//);
    expect(summaryOf(lines, 'total')).toMatchObject({ sent: '2', ok: '0', other: '2' });
    expect(exitCode).toBe(1);
    expect(ms).toBeLessThan(5000);
  });
});
