import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayProxyServer } from './baseline-proxies.js';
import { DELAY_HEADER, FLOOR_LATENESS_PATH } from './messages.js';

let upstream: http.Server;
let floor: http.Server;
let floorUrl: string;
let upstreamRequests = 0;

async function listen(server: http.Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  upstream = http.createServer((_req, res) => {
    upstreamRequests++;
    res.end('ok');
  });
  floor = delayProxyServer(await listen(upstream));
  floorUrl = await listen(floor);
});
afterAll(() => {
  for (const server of [floor, upstream]) {
    server?.closeAllConnections();
    server?.close();
  }
});

const lateness = async (): Promise<number[]> => (await (await fetch(`${floorUrl}${FLOOR_LATENESS_PATH}`)).json()) as number[];

describe('delayProxyServer (the floor of bench section 7)', () => {
  it('holds a request for the delay its header asks, and times each delayed one without that delay; a read empties what it read', async () => {
    await lateness();
    const asked = 1000;
    const done: string[] = [];
    const get = async (name: string, headers: Record<string, string>): Promise<string> => {
      const body = await (await fetch(`${floorUrl}/health`, { headers })).text();
      done.push(name);
      return body;
    };
    const bodies = await Promise.all([get('held 1', { [DELAY_HEADER]: String(asked) }), get('held 2', { [DELAY_HEADER]: String(asked) }), get('unheld', {})]);
    expect(bodies).toEqual(['ok', 'ok', 'ok']);
    expect(done[0]).toBe('unheld');
    expect(upstreamRequests).toBe(3);
    const samples = await lateness();
    // Only the delayed two; each is what the proxy added beyond the asked second, so less than it.
    expect(samples).toHaveLength(2);
    for (const ms of samples) expect(ms).toBeLessThan(asked);
    expect(await lateness()).toEqual([]);
  });
});
