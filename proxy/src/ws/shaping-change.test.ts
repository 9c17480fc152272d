import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { presetProfile } from '@downspin/protocol';
import { eventually } from '@downspin/testing';
import { hashSessionId } from '../session/runtime.js';
import { startHarness, type ProxyHarness } from '../test-harness.js';
import type { WsRelay } from './relay.js';

function connect(h: ProxyHarness, session: string): WebSocket {
  const ws = new WebSocket(`${h.proxy.url.replace('http', 'ws')}/ws`, { headers: { 'x-downspin-session': session } });
  ws.on('error', () => undefined);
  return ws;
}

async function opened(h: ProxyHarness, session: string): Promise<WebSocket> {
  const ws = connect(h, session);
  await once(ws, 'open');
  return ws;
}

async function echo(ws: WebSocket, payload: string | Buffer): Promise<number> {
  const started = performance.now();
  ws.send(payload);
  await once(ws, 'message');
  return performance.now() - started;
}

function relayOf(h: ProxyHarness, session: string): WsRelay {
  const [relay] = h.proxy.sessions.get(session)!.webSockets;
  return relay as WsRelay;
}

describe('shaping applies to WebSockets that are already open', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness({ maxHoldMs: 300 });
  });
  afterAll(async () => h.close());

  it.each([
    ['offline preset', { mode: 'profile', preset: 'offline', profile: presetProfile('offline') }],
    ['faults.resetRate 1', { mode: 'profile', profile: { faults: { errorRate: 0, status: 503, resetRate: 1, timeoutRate: 0, failFirst: 0 } } }],
  ] as const)('%s drops an open socket at once, without a close frame, upstream too', async (_name, state) => {
    const session = `ws-drop-${state.profile.faults?.resetRate}-${'preset' in state ? 'p' : 'f'}`;
    const ws = await opened(h, session);
    expect(await echo(ws, 'before')).toBeGreaterThanOrEqual(0);
    await eventually(() => expect(h.upstream.sockets.size).toBe(1));
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    await h.shape(session, state);
    const [code] = await closed;
    // 1006: the socket ended without a close frame, as when the network drops.
    expect(code).toBe(1006);
    await eventually(() => expect(h.upstream.sockets.size).toBe(0));
    const row = await eventually(() => {
      const found = h.telemetry.webSockets.find((r) => r.sessionHash === hashSessionId(session));
      expect(found).toBeDefined();
      return found!;
    });
    expect(row).toMatchObject({ fault: 'reset', closeCode: 1006, messagesIn: 1, messagesOut: 1 });
  });

  it('drops an idle socket when a timeline steps to offline', async () => {
    const ws = await opened(h, 'ws-timeline');
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    const startedAt = Date.now();
    await h.shape('ws-timeline', {
      mode: 'timeline',
      startedAt,
      steps: [
        { atMs: 0, profile: presetProfile('none'), preset: 'none' },
        { atMs: 300, profile: presetProfile('offline'), preset: 'offline' },
      ],
    });
    expect(await echo(ws, 'still up')).toBeGreaterThanOrEqual(0);
    const [code] = await closed;
    expect(code).toBe(1006);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(299);
  });

  it('delays the messages of an open socket by a latency set after it opened', async () => {
    const ws = await opened(h, 'ws-late-latency');
    await h.profile('ws-late-latency', { latency: { ms: 400 } });
    // One round trip: 200 ms each way.
    expect(await echo(ws, 'slow now')).toBeGreaterThanOrEqual(398);
    ws.close();
  });

  it('paces messages through the session link when bandwidth is set after opening', async () => {
    const ws = await opened(h, 'ws-bandwidth');
    await h.profile('ws-bandwidth', { bandwidth: { downKbps: 800, upKbps: 800 } });
    const session = h.proxy.sessions.get('ws-bandwidth')!;
    // 40 kB at 100 kB/s each way: about 0.4 s per direction.
    const rtt = await echo(ws, Buffer.alloc(40_000, 1));
    expect(session.linkUp()!.bytesPassed).toBe(40_000);
    expect(session.linkDown()!.bytesPassed).toBe(40_000);
    expect(rtt).toBeGreaterThanOrEqual(600);
    ws.close();
  });

  it('a timeout fault stalls an open socket, then drops it after the hold', async () => {
    const ws = await opened(h, 'ws-stall');
    const received: Buffer[] = [];
    ws.on('message', (data: Buffer) => received.push(data));
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    await h.profile('ws-stall', { faults: { timeoutRate: 1 } });
    ws.send('into the void');
    const [code] = await closed;
    expect(code).toBe(1006);
    expect(received).toHaveLength(0);
    const row = await eventually(() => {
      const found = h.telemetry.webSockets.find((r) => r.sessionHash === hashSessionId('ws-stall'));
      expect(found).toBeDefined();
      return found!;
    });
    expect(row.fault).toBe('timeout');
  });

  it('keeps closing open sockets of a terminated session with 4403', async () => {
    const ws = await opened(h, 'ws-term-open');
    expect(relayOf(h, 'ws-term-open')).toBeDefined();
    const closed = once(ws, 'close') as Promise<[number, Buffer]>;
    await h.shape('ws-term-open', { mode: 'terminated', reason: 'done' });
    const [code] = await closed;
    expect(code).toBe(4403);
  });
});
