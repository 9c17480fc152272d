import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDemoApp, type DemoApp } from './index.js';

let app: DemoApp;
beforeAll(async () => {
  app = await startDemoApp();
});
afterAll(() => app.close());

/** Opens the feed and queues every message, so none is missed between awaits. */
async function openFeed(path = '/ws/feed') {
  const ws = new WebSocket(`${app.url.replace('http', 'ws')}${path}`);
  const messages: { data: string; raw: Buffer; isBinary: boolean }[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    messages.push({ data: data.toString(), raw: data, isBinary });
    for (const wake of waiters.splice(0)) wake();
  });
  ws.on('error', () => undefined);
  await once(ws, 'open');
  /** Resolves with the first queued message matching `test`, waiting up to 5 s. */
  const next = async (test: (m: { data: string; isBinary: boolean }) => boolean) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const index = messages.findIndex(test);
      if (index >= 0) return messages.splice(index, 1)[0]!;
      if (Date.now() > deadline) throw new Error('no matching message within 5 s');
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { ws, next };
}

const isTick = (m: { data: string }) => (JSON.parse(m.data) as { seq?: unknown }).seq !== undefined;

describe('WS /ws/feed', () => {
  it('sends { seq, t } at once and then every 500 ms', async () => {
    const { ws, next } = await openFeed();
    const first = await next(isTick);
    const second = await next(isTick);
    ws.close();
    const a = JSON.parse(first.data) as { seq: number; t: number };
    const b = JSON.parse(second.data) as { seq: number; t: number };
    expect(a.seq).toBe(1);
    expect(b.seq).toBe(2);
    expect(Math.abs(a.t - Date.now())).toBeLessThan(5000);
    // The server's own timestamps: a 500 ms timer, late but never early on a busy machine.
    expect(b.t - a.t).toBeGreaterThanOrEqual(490);
    expect(b.t - a.t).toBeLessThan(2000);
  });

  it('echoes text and binary messages unchanged', async () => {
    const { ws, next } = await openFeed();
    ws.send(JSON.stringify({ ping: 7, sentAt: 1.5 }));
    ws.send(Buffer.from([0, 1, 2, 255]));
    const text = await next((m) => !m.isBinary && !isTick(m));
    const binary = await next((m) => m.isBinary);
    ws.close();
    expect(JSON.parse(text.data)).toEqual({ ping: 7, sentAt: 1.5 });
    expect([...binary.raw]).toEqual([0, 1, 2, 255]);
  });

  it('refuses other WebSocket paths with 404', async () => {
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/ws/other`);
    ws.on('error', () => undefined);
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
    expect(res.statusCode).toBe(404);
    res.resume();
    ws.terminate();
  });

  it('closes open feeds when the app closes', async () => {
    const own = await startDemoApp();
    const ws = new WebSocket(`${own.url.replace('http', 'ws')}/ws/feed`);
    ws.on('error', () => undefined);
    await once(ws, 'open');
    const closed = once(ws, 'close');
    await own.close();
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });
});
