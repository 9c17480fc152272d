import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileSchema, type ProfileInput } from '@downspin/protocol';
import { eventually } from '@downspin/testing';
import { hashSessionId } from './session/runtime.js';
import { ShapingPlan } from './shaping/plan.js';
import type { RandomGenerator } from './shaping/random.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

const HEAD_END = Buffer.from('\r\n\r\n');

/** The raw bytes of one answer, read until the proxy closes the connection or `until` says the answer is whole. */
async function rawGet(h: ProxyHarness, socket: net.Socket, session: string, path: string, until?: (bytes: Buffer) => boolean): Promise<{ head: string; body: Buffer; closed: boolean }> {
  let received = Buffer.alloc(0);
  let closed = false;
  const done = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (until?.(received)) {
        socket.off('data', onData);
        socket.off('end', onEnd);
        resolve();
      }
    };
    const onEnd = (): void => {
      closed = true;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${new URL(h.proxy.url).host}\r\nx-downspin-session: ${session}\r\n\r\n`);
  await done;
  const at = received.indexOf(HEAD_END);
  expect(at).toBeGreaterThan(0);
  return { head: received.subarray(0, at).toString('latin1'), body: received.subarray(at + 4), closed };
}

async function connect(h: ProxyHarness): Promise<net.Socket> {
  const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

const faultsOf = (h: ProxyHarness, session: string, count: number): Promise<string[]> =>
  eventually(() => {
    const rows = h.telemetry.requests.filter((row) => row.sessionHash === hashSessionId(session));
    expect(rows).toHaveLength(count);
    return rows.map((row) => row.fault);
  });

describe('truncated bodies over raw sockets', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  const cases: [string, ProfileInput, number][] = [
    ['unpaced', { truncate: { rate: 1, afterBytes: 1000 } }, 1000],
    ['paced', { truncate: { rate: 1, afterBytes: 20_000 }, bandwidth: { downKbps: 8000 } }, 20_000],
    ['before any body byte', { truncate: { rate: 1, afterBytes: 0 } }, 0],
  ];
  it.each(cases)('drops the connection after exactly the asked bytes (%s), headers announcing the whole body', async (name, profile, bytes) => {
    const session = `trunc-${name.replace(/ /g, '-')}`;
    await h.profile(session, profile);
    const socket = await connect(h);
    const answer = await rawGet(h, socket, session, '/bytes/100000');
    socket.destroy();
    expect(answer.head).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.head.toLowerCase()).toContain('content-length: 100000');
    expect(answer.body.length).toBe(bytes);
    expect(answer.body.every((byte) => byte === 97)).toBe(true);
    expect(answer.closed).toBe(true);
    expect(await faultsOf(h, session, 1)).toEqual(['truncated']);
  });

  it('passes a body shorter than the cut whole, and keeps the connection', async () => {
    await h.profile('trunc-short', { truncate: { rate: 1, afterBytes: 1000 } });
    const socket = await connect(h);
    const whole = (bytes: Buffer): boolean => bytes.indexOf(HEAD_END) > 0 && bytes.length - bytes.indexOf(HEAD_END) - 4 >= 500;
    for (let i = 0; i < 2; i++) {
      const answer = await rawGet(h, socket, 'trunc-short', '/bytes/500', whole);
      expect(answer.body.length).toBe(500);
      expect(answer.closed).toBe(false);
    }
    socket.destroy();
    expect(await faultsOf(h, 'trunc-short', 2)).toEqual(['', '']);
  });

  it('draws which responses to cut from the seed, one draw per request', async () => {
    const profile = ProfileSchema.parse({ truncate: { rate: 0.5, afterBytes: 100 }, seed: 11 });
    await h.profile('trunc-seeded', profile);
    const cut: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      const socket = await connect(h);
      const answer = await rawGet(h, socket, 'trunc-seeded', '/bytes/1000', (bytes) => bytes.length - bytes.indexOf(HEAD_END) - 4 >= 1000);
      socket.destroy();
      cut.push(answer.body.length === 100);
      expect(answer.body.length === 100 || answer.body.length === 1000).toBe(true);
    }
    const plan = new ShapingPlan(profile);
    const random = plan.createStates()[0] as RandomGenerator;
    const expected = Array.from({ length: 10 }, () => random.next() < 0.5);
    expect(cut).toEqual(expected);
    expect(expected).toContain(true);
    expect(expected).toContain(false);
    expect(await faultsOf(h, 'trunc-seeded', 10)).toEqual(expected.map((c) => (c ? 'truncated' : '')));
  });
});
