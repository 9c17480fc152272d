import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '@downspin/testing';
import { startHarness, type ProxyHarness } from '../test-harness.js';
import { READ_MARGIN_BYTES, type WsRelay } from './relay.js';

const KiB = 1024;
const LIMITS = { maxMessageBytes: 64 * KiB, maxQueuedBytes: 1024 * KiB, maxSessionQueuedBytes: 1536 * KiB };
/** Where a direction pauses its sender: a paused socket may still hand over one message and one read. */
const PAUSE_AT = LIMITS.maxQueuedBytes - LIMITS.maxMessageBytes - READ_MARGIN_BYTES;

async function open(h: ProxyHarness, session: string): Promise<{ ws: WebSocket; relay: WsRelay }> {
  const ws = new WebSocket(`${h.proxy.url.replace('http', 'ws')}/ws`, { headers: { 'x-downspin-session': session } });
  ws.on('error', () => undefined);
  await once(ws, 'open');
  const relays = [...h.proxy.sessions.get(session)!.webSockets] as WsRelay[];
  return { ws, relay: relays[relays.length - 1]! };
}

/** Writes `total` bytes in 32 KiB messages as fast as the client takes them (ws buffers what TCP does not). */
function flood(ws: WebSocket, total: number): void {
  const message = Buffer.alloc(32 * KiB, 7);
  for (let sent = 0; sent < total; sent += message.length) ws.send(message);
}

describe('WebSocket relay memory bound', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness({ webSocketLimits: LIMITS });
  });
  afterAll(async () => h.close());

  it('holds at most the per-direction bound under a flood at 60 s latency, and pushes back on the sender', async () => {
    // Opened first: the handshake itself would wait the latency.
    const { ws, relay } = await open(h, 'flood-one');
    await h.profile('flood-one', { latency: { ms: 60_000 } });
    flood(ws, 32 * 1024 * KiB);
    // The proxy stopped reading: the client keeps most of its 32 MiB unsent.
    await eventually(() => {
      expect(relay.held.paused).toBe(true);
      expect(relay.held.toUpstream).toBeGreaterThanOrEqual(PAUSE_AT);
    }, 10_000);
    expect(relay.held.peak).toBeLessThanOrEqual(LIMITS.maxQueuedBytes);
    expect(ws.bufferedAmount).toBeGreaterThan(16 * 1024 * KiB);
    // The latency lifted: what was held is delivered, reading resumes, and the gone client is noticed.
    ws.terminate();
    await h.profile('flood-one', {});
    await eventually(() => expect(h.proxy.sessions.get('flood-one')!.webSocketQueuedBytes).toBe(0));
    await eventually(() => expect(h.proxy.sessions.get('flood-one')!.webSockets.size).toBe(0));
  });

  it('holds at most the per-session bound over several sockets of one session', async () => {
    const opened = [await open(h, 'flood-many'), await open(h, 'flood-many'), await open(h, 'flood-many')];
    await h.profile('flood-many', { latency: { ms: 60_000 } });
    const session = h.proxy.sessions.get('flood-many')!;
    const sockets: WebSocket[] = [];
    for (const { ws, relay } of opened) {
      sockets.push(ws);
      flood(ws, 8 * 1024 * KiB);
      await eventually(() => expect(relay.held.paused).toBe(true), 10_000);
      expect(session.webSocketQueuedBytes).toBeLessThanOrEqual(LIMITS.maxSessionQueuedBytes);
    }
    expect(session.webSocketQueuedBytes).toBeGreaterThanOrEqual(LIMITS.maxSessionQueuedBytes - LIMITS.maxMessageBytes - READ_MARGIN_BYTES);
    for (const ws of sockets) ws.terminate();
    await h.profile('flood-many', {});
    await eventually(() => expect(session.webSocketQueuedBytes).toBe(0));
    await eventually(() => expect(session.webSockets.size).toBe(0));
  });

  it('resumes reading once the held messages are delivered', async () => {
    await h.profile('flood-resume', { latency: { ms: 400 } });
    const { ws, relay } = await open(h, 'flood-resume');
    let received = 0;
    ws.on('message', (data: Buffer) => (received += data.length));
    const total = 4 * 1024 * KiB;
    flood(ws, total);
    await eventually(() => expect(relay.held.paused).toBe(true), 10_000);
    // Everything arrives in the end: pausing is backpressure, not loss.
    await eventually(() => expect(received).toBe(total), 20_000);
    expect(relay.held.peak).toBeLessThanOrEqual(LIMITS.maxQueuedBytes);
    ws.close();
  });
});
