import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '@downspin/testing';
import { hashSessionId } from './session/runtime.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

/** One GET through `agent`; resolves with whether it went over an already used connection. */
async function get(h: ProxyHarness, agent: Agent, session: string): Promise<{ status: number; reused: boolean }> {
  const req = request(`${h.proxy.url}/echo`, { agent, headers: { 'x-downspin-session': session } });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.resume();
  await once(res, 'end');
  return { status: res.statusCode ?? 0, reused: req.reusedSocket };
}

/** The delay the proxy decided for each request of `session`, from its telemetry rows, once there are `count`. */
function injected(h: ProxyHarness, session: string, count: number): Promise<number[]> {
  return eventually(() => {
    const rows = h.telemetry.requests.filter((row) => row.sessionHash === hashSessionId(session));
    expect(rows).toHaveLength(count);
    return rows.map((row) => row.injectedMs);
  });
}

describe('connection set-up cost over real sockets', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('charges the first request of each client connection, not the later ones on it', async () => {
    await h.profile('setup-http', { latency: { ms: 40 }, connection: { setupMs: 120 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const second = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(h, agent, 'setup-http');
      const again = await get(h, agent, 'setup-http');
      const fresh = await get(h, second, 'setup-http');
      const freshAgain = await get(h, second, 'setup-http');
      expect([first, again, fresh, freshAgain]).toEqual([
        { status: 200, reused: false },
        { status: 200, reused: true },
        { status: 200, reused: false },
        { status: 200, reused: true },
      ]);
      expect(await injected(h, 'setup-http', 4)).toEqual([160, 40, 160, 40]);
    } finally {
      agent.destroy();
      second.destroy();
    }
  });

  it('leaves a connection opened before the profile was set alone: its set-up was already done', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get(h, agent, 'setup-later')).reused).toBe(false);
      await h.profile('setup-later', { connection: { setupMs: 150 } });
      expect(await get(h, agent, 'setup-later')).toEqual({ status: 200, reused: true });
      expect(await injected(h, 'setup-later', 2)).toEqual([0, 0]);
    } finally {
      agent.destroy();
    }
  });

  it('charges a WebSocket handshake once, and none of its messages', async () => {
    const setupMs = 2000;
    await h.profile('setup-ws', { connection: { setupMs } });
    const ws = new WebSocket(`${h.proxy.url.replace('http', 'ws')}/ws`, { headers: { 'x-downspin-session': 'setup-ws' } });
    ws.on('error', () => undefined);
    await once(ws, 'open');
    for (let i = 0; i < 3; i++) {
      ws.send(`m${i}`);
      const [data] = (await once(ws, 'message')) as [Buffer];
      expect(data.toString()).toBe(`m${i}`);
    }
    ws.close(1000);
    await once(ws, 'close');
    const row = await eventually(() => {
      const found = h.telemetry.webSockets.find((r) => r.sessionHash === hashSessionId('setup-ws'));
      expect(found).toBeDefined();
      return found!;
    });
    // The connection's whole injected delay is the one set-up cost: no message paid it again.
    expect(row).toMatchObject({ injectedMs: setupMs, messagesIn: 3, messagesOut: 3 });
  });
});
