import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { SocketSet } from './sockets.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A WebSocket server, and a raw TCP client that completes the handshake and then never reads. */
async function stalledPeer(set: SocketSet): Promise<WebSocket> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const connected = new Promise<WebSocket>((resolve) =>
    wss.on('connection', (ws) => {
      set.add(ws);
      resolve(ws);
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const raw = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  raw.on('error', () => undefined);
  raw.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  raw.pause();
  closers.push(() => {
    raw.destroy();
    set.close();
    wss.close();
    server.closeAllConnections();
    server.close();
  });
  return connected;
}

describe('SocketSet', () => {
  it('terminates a peer that stops reading once its send buffer passes the limit, instead of buffering on', async () => {
    const set = new SocketSet({ pingIntervalMs: 60_000, maxBufferedBytes: 256 * 1024 });
    const ws = await stalledPeer(set);
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    // Loopback kernel buffers take a few MB first; the bound keeps a broken limit from looping forever.
    while (set.send(ws, chunk) && sent < 4096) {
      sent++;
      if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sent).toBeLessThan(4096);
    expect(set.stats().slowConsumers).toBe(1);
    await once(ws, 'close');
    expect(set.size).toBe(0);
  });

  it('does not send to a socket that is closing', async () => {
    const set = new SocketSet({ pingIntervalMs: 60_000, maxBufferedBytes: 1024 });
    const ws = await stalledPeer(set);
    ws.close();
    expect(set.send(ws, 'late')).toBe(false);
    expect(set.stats().slowConsumers).toBe(0);
  });
});
