import { randomBytes } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { CLIENT_CHANNEL_MAX_PAYLOAD, sessionHash, WS_CLOSE_TERMINATED, WS_CLOSE_UNAUTHENTICATED, type ClientEvent } from '@downspin/protocol';
import { connect, eventually, refusal, type TestSocket } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi, type ServedApi } from '../test-support/served.js';

const newId = (): string => `c-${randomBytes(6).toString('hex')}`;
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

let store: SessionStore;
let bus: MemoryBus;
let api: ServedApi;
const sunk: { hash: string; events: readonly ClientEvent[] }[] = [];

beforeAll(async () => {
  store = await createPgliteStore();
  bus = new MemoryBus();
  api = await serveApi(store, bus, {
    channels: { helloTimeoutMs: 300 },
    clientEvents: (hash, events) => void sunk.push({ hash, events }),
  });
});
afterAll(async () => {
  await api?.close();
  await bus?.close();
  await store?.close();
});

/** Connects as the extension and says hello; resolves once welcomed. */
async function extension(sessionId: string): Promise<TestSocket> {
  const socket = await connect(`${api.wsUrl}/ws/client`, { origin: EXTENSION });
  socket.send({ type: 'hello', sessionId, consent: true, extensionVersion: '0.1.0' });
  await socket.next((m) => m.type === 'welcome');
  return socket;
}

describe('WS /ws/client', () => {
  it('welcomes a hello with the session hash and mode, and records consent', async () => {
    const id = newId();
    await api.call('POST', `/admin/sessions/${id}/downspin`, { latency_ms: 400 });
    expect(await store.getSession(id)).toMatchObject({ consent: false });
    const socket = await extension(id);
    expect(socket.messages[0]).toEqual({ type: 'welcome', sessionHash: await sessionHash(id), mode: 'downspin', shaping: 'downspin: latency 400 ms' });
    expect(await store.getSession(id)).toMatchObject({ consent: true });
    expect(api.app.stats().channels.client).toMatchObject({ connected: 1, sessions: 1 });
    socket.close();
    await socket.closed;
    await eventually(() => expect(api.app.stats().channels.client).toMatchObject({ connected: 0, sessions: 0 }));
  });

  it('forgets consent on revoke and closes the channel', async () => {
    const id = newId();
    const socket = await extension(id);
    expect(await store.getSession(id)).toMatchObject({ consent: true });
    socket.send({ type: 'revoke' });
    expect(await socket.closed).toMatchObject({ code: 1000 });
    expect(await store.getSession(id)).toMatchObject({ consent: false });
  });

  it('closes 4401 when no hello arrives in time, or the first message is not a hello', async () => {
    const silent = await connect(`${api.wsUrl}/ws/client`);
    expect(await silent.closed).toMatchObject({ code: WS_CLOSE_UNAUTHENTICATED });

    const rude = await connect(`${api.wsUrl}/ws/client`);
    rude.send({ type: 'keepalive' });
    expect(await rude.closed).toMatchObject({ code: WS_CLOSE_UNAUTHENTICATED });

    const noConsent = await connect(`${api.wsUrl}/ws/client`);
    noConsent.send({ type: 'hello', sessionId: newId(), consent: false });
    expect(await noConsent.closed).toMatchObject({ code: WS_CLOSE_UNAUTHENTICATED });
    expect(noConsent.messages).toEqual([]);
  });

  it('refuses a web page origin with 403 before upgrading', async () => {
    const refused = await refusal(`${api.wsUrl}/ws/client`, { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'forbidden_origin' } });
  });

  it('refuses unknown WebSocket paths with 404', async () => {
    const refused = await refusal(`${api.wsUrl}/ws/elsewhere`);
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('drops and counts malformed and unknown messages, and stays open', async () => {
    const id = newId();
    const socket = await extension(id);
    const before = api.app.channels.client.stats().dropped;
    socket.send('not json {');
    socket.ws.send(Buffer.from([1, 2, 3]));
    socket.send({ type: 'events', events: [{ type: 'page_view' }] });
    socket.send({ type: 'rm -rf', path: '/' });
    socket.send({ type: 'hello', sessionId: id, consent: true });
    socket.send({ type: 'keepalive' });
    await eventually(() =>
      expect(api.app.channels.client.stats().dropped).toEqual({
        malformed: before.malformed + 3,
        unknown_type: before.unknown_type + 1,
        repeated_hello: before.repeated_hello + 1,
        too_large: before.too_large,
      }),
    );
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.close();
  });

  it('closes 1009 on a message over the size limit', async () => {
    const socket = await extension(newId());
    socket.send({ type: 'events', events: [{ type: 'page_view', ts: 1, url: 'x'.repeat(CLIENT_CHANNEL_MAX_PAYLOAD) }] });
    expect(await socket.closed).toMatchObject({ code: 1009 });
    expect(api.app.channels.client.stats().dropped.too_large).toBeGreaterThanOrEqual(1);
  });

  it('hands events to the sink by hash; events sent right behind the hello are not lost', async () => {
    const id = newId();
    const socket = await connect(`${api.wsUrl}/ws/client`, { origin: EXTENSION });
    const events: ClientEvent[] = [{ type: 'navigation', ts: Date.now(), url: 'http://127.0.0.1:8080/about' }];
    socket.send({ type: 'hello', sessionId: id, consent: true });
    socket.send({ type: 'events', events });
    await socket.next((m) => m.type === 'welcome');
    const hash = await sessionHash(id);
    await eventually(() => expect(sunk.filter((s) => s.hash === hash)).toEqual([{ hash, events }]));
    socket.close();
  });

  it('delivers notify and mode changes to that session’s sockets only', async () => {
    const mine = newId();
    const other = newId();
    const [tab1, tab2, stranger] = [await extension(mine), await extension(mine), await extension(other)];
    const res = await api.call('POST', `/admin/sessions/${mine}/notify`, { message: 'Deploy in 5 minutes', type: 'warning' });
    expect(res.status).toBe(202);
    for (const tab of [tab1, tab2]) {
      expect(await tab.next((m) => m.type === 'notify')).toMatchObject({ message: 'Deploy in 5 minutes', level: 'warning' });
    }
    await api.call('POST', `/admin/sessions/${mine}/upspin`, {});
    expect(await tab1.next((m) => m.type === 'mode')).toMatchObject({ mode: 'upspin', version: 1 });
    // The stranger's own notify arrives, and nothing of the other session before it.
    await api.call('POST', `/admin/sessions/${other}/notify`, { message: 'yours' });
    await stranger.next((m) => m.type === 'notify');
    expect(stranger.messages.map((m) => (m as { type: string }).type)).toEqual(['welcome', 'notify']);
    for (const s of [tab1, tab2, stranger]) s.close();
  });

  it('sends terminate, then closes 4403; a terminated session is told again on hello', async () => {
    const id = newId();
    const socket = await extension(id);
    const res = await api.call('POST', `/admin/sessions/${id}/terminate`, { reason: 'test over' });
    expect(res.status).toBe(200);
    expect(await socket.closed).toMatchObject({ code: WS_CLOSE_TERMINATED });
    expect(socket.messages.at(-1)).toEqual({ type: 'terminate', reason: 'test over' });

    const again = await connect(`${api.wsUrl}/ws/client`);
    again.send({ type: 'hello', sessionId: id, consent: true });
    expect(await again.closed).toMatchObject({ code: WS_CLOSE_TERMINATED });
    expect(again.messages).toEqual([{ type: 'terminate', reason: 'test over' }]);
  });
});

describe('WS /ws/client keepalive', () => {
  it('terminates a socket that answers no ping, and keeps one that does', async () => {
    const quiet = await serveApi(store, bus, { channels: { pingIntervalMs: 250 } });
    try {
      const mute = await connect(`${quiet.wsUrl}/ws/client`, { autoPong: false });
      const lively = await connect(`${quiet.wsUrl}/ws/client`);
      for (const socket of [mute, lively]) {
        socket.send({ type: 'hello', sessionId: newId(), consent: true });
        await socket.next((m) => m.type === 'welcome');
      }
      expect(await mute.closed).toMatchObject({ code: 1006 });
      // Several ping periods later the one that answers is still there.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(lively.ws.readyState).toBe(lively.ws.OPEN);
      expect(quiet.app.stats().channels.client.connected).toBe(1);
      lively.close();
    } finally {
      await quiet.close();
    }
  });
});
