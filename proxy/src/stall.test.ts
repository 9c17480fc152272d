import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileInput } from '@downspin/protocol';
import { eventually } from '@downspin/testing';
import { hashSessionId } from './session/runtime.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

const HEAD_END = Buffer.from('\r\n\r\n');

/** One whole answer read off a raw socket, each piece of its body with the time it arrived. */
async function timedGet(h: ProxyHarness, session: string, path: string, bodyBytes: number): Promise<{ head: string; pieces: { at: number; bytes: number }[] }> {
  const socket = net.connect(Number(new URL(h.proxy.url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  let head = Buffer.alloc(0);
  let headText: string | undefined;
  let body = 0;
  const pieces: { at: number; bytes: number }[] = [];
  const whole = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      if (headText === undefined) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(HEAD_END);
        if (end < 0) return;
        headText = head.subarray(0, end).toString('latin1');
        chunk = head.subarray(end + 4);
      }
      if (chunk.length > 0) pieces.push({ at, bytes: chunk.length });
      body += chunk.length;
      if (body >= bodyBytes) resolve();
    });
    socket.once('end', () => reject(new Error(`closed after ${body} body bytes`)));
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${new URL(h.proxy.url).host}\r\nx-downspin-session: ${session}\r\n\r\n`);
  await whole;
  socket.destroy();
  return { head: headText!, pieces };
}

/** The longest pause between two pieces, and how many body bytes had arrived before it. */
function longestPause(pieces: { at: number; bytes: number }[]): { ms: number; bytesBefore: number } {
  let best = { ms: 0, bytesBefore: 0 };
  let before = pieces[0]?.bytes ?? 0;
  for (let i = 1; i < pieces.length; i++) {
    const ms = pieces[i]!.at - pieces[i - 1]!.at;
    if (ms > best.ms) best = { ms, bytesBefore: before };
    before += pieces[i]!.bytes;
  }
  return best;
}

const injectedOf = (h: ProxyHarness, session: string): Promise<{ injectedMs: number; fault: string; bytesOut: number }> =>
  eventually(() => {
    const rows = h.telemetry.requests.filter((row) => row.sessionHash === hashSessionId(session));
    expect(rows).toHaveLength(1);
    return rows[0]!;
  });

describe('mid-body stall over raw sockets', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  const cases: [string, ProfileInput][] = [
    ['unpaced', { stall: { rate: 1, afterBytes: 20_000, ms: 400 } }],
    ['paced', { stall: { rate: 1, afterBytes: 20_000, ms: 400 }, bandwidth: { downKbps: 8000 } }],
  ];
  it.each(cases)('pauses the body for the asked time at exactly the asked byte, then delivers all of it (%s)', async (name, profile) => {
    const session = `stall-${name}`;
    await h.profile(session, profile);
    const answer = await timedGet(h, session, '/bytes/100000', 100_000);
    expect(answer.head).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.pieces.reduce((sum, piece) => sum + piece.bytes, 0)).toBe(100_000);
    // Nothing is sent during the pause, so the byte it falls on is exact. Its length as the
    // client sees it can be shorter than asked on a busy machine (the bytes before it read
    // late: 389 ms for 400 under two busy loops): the asked time is what telemetry says below.
    const pause = longestPause(answer.pieces);
    expect(pause.bytesBefore).toBe(20_000);
    expect(pause.ms).toBeGreaterThanOrEqual(200);
    // Telemetry counts the pause as injected time, not as a fault: the response completed.
    expect(await injectedOf(h, session)).toMatchObject({ injectedMs: 400, fault: '' });
  });

  it('never stalls a body no longer than the mark', async () => {
    await h.profile('stall-short', { stall: { rate: 1, afterBytes: 100_000, ms: 60_000 } });
    const answer = await timedGet(h, 'stall-short', '/bytes/100000', 100_000);
    expect(answer.pieces.reduce((sum, piece) => sum + piece.bytes, 0)).toBe(100_000);
    expect(await injectedOf(h, 'stall-short')).toMatchObject({ injectedMs: 0, fault: '' });
  });
});
