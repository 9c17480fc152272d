import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '@downspin/testing';
import { startHarness, type ProxyHarness } from './test-harness.js';

/** Sums the bytes and requests the proxy reports on the bus for one session. */
async function watchActivity(h: ProxyHarness, sessionId: string) {
  const total = { requests: 0, bytesIn: 0, bytesOut: 0 };
  const unsubscribe = await h.bus.subscribe('activity', (message) => {
    for (const s of message.sessions) {
      if (s.sessionId !== sessionId) continue;
      total.requests += s.requests;
      total.bytesIn += s.bytesIn;
      total.bytesOut += s.bytesOut;
    }
  });
  return { total, unsubscribe };
}

/** One raw request; resolves with the bytes written and read once the server has closed. */
async function rawRequest(port: number, text: string): Promise<{ written: number; read: number }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(text);
  let read = 0;
  socket.on('data', (chunk: Buffer) => (read += chunk.length));
  await once(socket, 'close');
  return { written: Buffer.byteLength(text), read };
}

describe('session byte counters', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness({ reportIntervalMs: 100 });
  });
  afterAll(async () => h.close());

  it('counts a request whose response ends after the activity report of its arrival (downspin 800)', async () => {
    await h.shape('bytes-throttled', { mode: 'downspin', latencyMs: 800 });
    const { total, unsubscribe } = await watchActivity(h, 'bytes-throttled');
    const moved = await rawRequest(
      h.proxy.port,
      'GET /bytes/5000 HTTP/1.1\r\nHost: app\r\nx-downspin-session: bytes-throttled\r\nConnection: close\r\n\r\n',
    );
    // Several reports ran during the 800 ms wait, each seeing the request but not yet its bytes.
    await eventually(() => {
      expect(total.requests).toBe(1);
      expect(total.bytesIn).toBe(moved.written);
      expect(total.bytesOut).toBe(moved.read);
    });
    expect(moved.read).toBeGreaterThan(5000);
    await unsubscribe();
  });

  it('counts the bytes of an unshaped request', async () => {
    const { total, unsubscribe } = await watchActivity(h, 'bytes-plain');
    const moved = await rawRequest(
      h.proxy.port,
      'GET /bytes/3000 HTTP/1.1\r\nHost: app\r\nx-downspin-session: bytes-plain\r\nConnection: close\r\n\r\n',
    );
    await eventually(() => {
      expect(total.bytesIn).toBe(moved.written);
      expect(total.bytesOut).toBe(moved.read);
    });
    await unsubscribe();
  });

  it('counts WebSocket bytes both ways: messages while open, then every byte the connection moved', async () => {
    await h.profile('bytes-ws', { latency: { ms: 20 } });
    const { total, unsubscribe } = await watchActivity(h, 'bytes-ws');
    const ws = new WebSocket(`${h.proxy.url.replace('http', 'ws')}/ws`, { headers: { 'x-downspin-session': 'bytes-ws' } });
    let socket: IncomingMessage['socket'] | undefined;
    ws.once('upgrade', (response: IncomingMessage) => (socket = response.socket));
    await once(ws, 'open');
    for (let i = 0; i < 3; i++) {
      ws.send(Buffer.alloc(10_000, i));
      await once(ws, 'message');
    }
    // Live, while the socket is open: the message payloads.
    await eventually(() => {
      expect(total.bytesIn).toBeGreaterThanOrEqual(30_000);
      expect(total.bytesOut).toBeGreaterThanOrEqual(30_000);
    });
    ws.close(1000);
    await once(ws, 'close');
    // Once closed: exactly what crossed the client's TCP connection (handshake, frames, close).
    await eventually(() => {
      expect(total.bytesIn).toBe(socket!.bytesWritten);
      expect(total.bytesOut).toBe(socket!.bytesRead);
    });
    expect(total.requests).toBe(1);
    await unsubscribe();
  });
});
