import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickLoadGenerator } from '../load.js';
import { throughputRow } from '../test-support/throughput-row.js';
import { measureThroughput, pairedRatio, warmUp } from './throughput.js';


describe('pairedRatio', () => {
  it('takes the median of the rounds’ ratios, not the ratio of the medians', () => {
    // Round 3 ran on a slow host for both; B is 10 % slower in every round but one.
    const a = throughputRow('a', [1000, 1000, 500, 1000, 1000]);
    const b = throughputRow('b', [900, 900, 450, 1200, 900]);
    expect(pairedRatio(b, a)).toBeCloseTo(0.9, 10);
    expect(pairedRatio(a, a)).toBe(1);
  });
});

describe('measureThroughput', () => {
  const servers: Array<{ name: string; server: Server; url: string; connections: number }> = [];
  const order: string[] = [];

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const server = createServer((_req, res) => res.end('ok'));
      const entry = { name, server, url: '', connections: 0 };
      server.on('connection', () => {
        entry.connections++;
        if (order.at(-1) !== name) order.push(name);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      entry.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      servers.push(entry);
    }
  });
  afterAll(async () => {
    for (const { server } of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("gives each target its load as one-second slices taken in turn, and keeps each round's req/s", async () => {
    const connections = 4;
    const rows = await measureThroughput(
      servers.map(({ name, url }) => ({ name, url })),
      { generator: pickLoadGenerator(), rounds: 1, durationSec: 2, singleDurationSec: 1, connections, path: '/', headers: {} },
      () => undefined,
    );
    // Warm-up a b, slice 1 a b, slice 2 b a, one connection each a b: the targets alternate
    // (one run of 2 s each, as before slices, would read a b a a b b → a b a b).
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    // Each target's load ran on fresh connections in each of its slices.
    for (const s of servers) expect(s.connections).toBeGreaterThanOrEqual(connections * 3 + 1);
    for (const r of rows) {
      expect(r.rounds).toHaveLength(1);
      expect(r.rounds[0]).toBeGreaterThan(0);
      expect(r.loaded.requestsPerSec).toBe(r.rounds[0]);
    }
  }, 30_000);
});

describe('warmUp until every target has served enough', () => {
  const runs = new Map<string, number>();
  const targets: Array<{ name: string; url: string }> = [];
  const servers: Server[] = [];
  const connections = 2;

  beforeAll(async () => {
    // `slow` answers after 100 ms: at most 2 × 10 = 20 requests a second on its two connections.
    for (const [name, delayMs] of [['fast', 0], ['slow', 100]] as const) {
      const server = createServer((_req, res) => setTimeout(() => res.end('ok'), delayMs));
      // Each load run opens its connections at its start: a run is a burst of them, a second after the last.
      let last = 0;
      server.on('connection', () => {
        const now = performance.now();
        if (now - last > 500) runs.set(name, (runs.get(name) ?? 0) + 1);
        last = now;
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      targets.push({ name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      servers.push(server);
    }
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives a target more one-second slices only while it has served fewer than asked, up to the cap', async () => {
    const options = { generator: pickLoadGenerator(), rounds: 1, durationSec: 1, singleDurationSec: 1, connections, path: '/', headers: {} };
    // 30 requests: `fast` serves them in its first second, `slow` (≤ 20 a second) needs a second one at least.
    await warmUp(targets, options, { untilRequests: 30, maxSlices: 3 });
    expect(runs.get('fast')).toBe(1);
    expect(runs.get('slow')).toBeGreaterThanOrEqual(2);
    expect(runs.get('slow')).toBeLessThanOrEqual(3);
  }, 30_000);
});
