import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_CLOSE_TERMINATED } from '@downspin/protocol';
import { eventually } from '@downspin/testing';
import { startHarness, type ProxyHarness } from '../test-harness.js';
import { hashSessionId } from '../session/runtime.js';

function connect(h: ProxyHarness, session: string, path = '/ws', protocols?: string[]): WebSocket {
  const ws = new WebSocket(`${h.proxy.url.replace('http', 'ws')}${path}`, protocols, {
    headers: { 'x-downspin-session': session },
  });
  ws.on('error', () => undefined);
  return ws;
}

async function roundTrip(ws: WebSocket, payload: string): Promise<number> {
  const started = performance.now();
  ws.send(payload);
  for (;;) {
    const [data] = (await once(ws, 'message')) as [Buffer];
    if (data.toString() === payload) return performance.now() - started;
  }
}

describe('WebSocket proxying', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('relays messages both ways and passes the subprotocol through', async () => {
    const ws = connect(h, 'ws-plain', '/ws', ['chat.v1']);
    await once(ws, 'open');
    expect(ws.protocol).toBe('chat.v1');
    await roundTrip(ws, 'hello');
    const [upstreamSocket] = h.upstream.sockets;
    expect(upstreamSocket).toBeDefined();
    ws.close(1000, 'bye');
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1000);
  });

  it('adds the latency once to an echo (half each way) and keeps the order', async () => {
    await h.profile('ws-slow', { latency: { ms: 100 } });
    const started = performance.now();
    const ws = connect(h, 'ws-slow');
    await once(ws, 'open');
    // The handshake waited the latency too.
    expect(performance.now() - started).toBeGreaterThanOrEqual(98);
    // Latency is a round trip: an echo crosses the proxy twice, 50 ms each way.
    const rtt = await roundTrip(ws, 'ping');
    expect(rtt).toBeGreaterThanOrEqual(98);

    const received: string[] = [];
    ws.on('message', (data: Buffer) => received.push(data.toString()));
    for (let i = 0; i < 20; i++) ws.send(`m${i}`);
    await eventually(() => expect(received).toHaveLength(20), 3000);
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    ws.close();
  });

  it('keeps order under jitter', async () => {
    await h.profile('ws-jitter', { latency: { ms: 30, jitterMs: 25 }, seed: 5 });
    const ws = connect(h, 'ws-jitter');
    await once(ws, 'open');
    const received: string[] = [];
    ws.on('message', (data: Buffer) => received.push(data.toString()));
    for (let i = 0; i < 30; i++) ws.send(`j${i}`);
    await eventually(() => expect(received).toHaveLength(30), 3000);
    expect(received).toEqual(Array.from({ length: 30 }, (_, i) => `j${i}`));
    ws.close();
  });

  it('closes open WebSockets of a terminated session with a 4xxx code, and refuses new ones', async () => {
    const ws = connect(h, 'ws-term');
    await once(ws, 'open');
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    await h.shape('ws-term', { mode: 'terminated', reason: 'bye' });
    const [code] = await closed;
    expect(code).toBe(WS_CLOSE_TERMINATED);
    const again = connect(h, 'ws-term');
    const [, response] = (await once(again, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(403);
  });

  it('passes the upstream refusal status to the client', async () => {
    const ws = connect(h, 'ws-refused', '/ws/forbidden');
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(401);
  });

  it('answers 502 on the handshake when the upstream is down', async () => {
    const other = await startHarness();
    await other.upstream.stop();
    const ws = connect(other, 'ws-down');
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(502);
    await other.proxy.close();
  });

  it('writes one telemetry row per connection with message counts', async () => {
    const ws = connect(h, 'ws-telemetry');
    await once(ws, 'open');
    await roundTrip(ws, 'a');
    await roundTrip(ws, 'bb');
    ws.close(1000);
    await once(ws, 'close');
    const row = await eventually(() => {
      const found = h.telemetry.webSockets.find((r) => r.sessionHash === hashSessionId('ws-telemetry'));
      expect(found).toBeDefined();
      return found!;
    });
    expect(row).toMatchObject({ messagesIn: 2, messagesOut: 2, bytesIn: 3, bytesOut: 3, closeCode: 1000, path: '/ws' });
  });
});
