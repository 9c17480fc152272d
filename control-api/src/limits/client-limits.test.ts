import { randomBytes } from 'node:crypto';
import { MemoryBus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { WS_CLOSE_RATE_LIMITED, type ClientEvent } from '@downspin/protocol';
import { connect, eventually, UpgradeRefused, type TestSocket } from '@downspin/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApiDeps } from '../app.js';
import { recordConsent } from '../sessions/consent.js';
import { serveApi, type ServedApi } from '../test-support/served.js';

// Issue #12.6: a /ws/client hello with a made-up id created a consented session without any
// key, without limit; events after it had no limit either. Each limit here is per source
// address and per session, answered 429 (HTTP) or closed 4429 (WebSocket).

const newId = (): string => `l-${randomBytes(6).toString('hex')}`;
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const pageView = (): ClientEvent => ({ type: 'page_view', ts: Date.now(), url: 'http://127.0.0.1:8080/' });
/** Refills too slowly to matter within a test: only the burst counts. */
const NO_REFILL = 0.0001;

let store: SessionStore;
let bus: MemoryBus;
let api: ServedApi | undefined;
const sunk: ClientEvent[][] = [];
beforeAll(async () => {
  store = await createPgliteStore();
  bus = new MemoryBus();
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});
afterAll(async () => {
  await bus.close();
  await store.close();
});

async function serve(options: Partial<ControlApiDeps>): Promise<ServedApi> {
  api = await serveApi(store, bus, { clientEvents: (_hash, events) => void sunk.push([...events]), ...options });
  return api;
}

const open = (served: ServedApi): Promise<TestSocket> => connect(`${served.wsUrl}/ws/client`, { origin: EXTENSION });

/** Says hello on a new connection; resolves to the socket and what happened first: welcome or close. */
async function hello(served: ServedApi, sessionId: string): Promise<{ socket: TestSocket; outcome: string | number }> {
  const socket = await open(served);
  socket.send({ type: 'hello', sessionId, consent: true });
  const outcome = await Promise.race([socket.next((m) => m.type === 'welcome').then(() => 'welcome'), socket.closed.then((c) => c.code)]);
  return { socket, outcome };
}

describe('client limits (#12.6)', () => {
  it('refuses a /ws/client upgrade past the connections per address with 429, and takes one again once a socket closes', async () => {
    const served = await serve({ clientLimits: { connectionsPerAddress: 3 } });
    const sockets = await Promise.all([open(served), open(served), open(served)]);
    const refused = await open(served).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(429);
    expect(JSON.parse((refused as UpgradeRefused).body)).toMatchObject({
      error: { code: 'client_rate_limited', message: expect.stringContaining('at most 3') },
    });
    expect(served.app.clientLimits.stats().connectionsRefused).toBe(1);

    sockets[0]!.close();
    await sockets[0]!.closed;
    const again = await eventually(() => open(served));
    again.close();
    for (const socket of sockets.slice(1)) socket.close();
  });

  it('closes hellos past the limit per address with 4429 before any session is created', async () => {
    const served = await serve({ clientLimits: { hellosPerAddress: { burst: 4, perSecond: NO_REFILL } } });
    const ids = Array.from({ length: 7 }, newId);
    const outcomes: (string | number)[] = [];
    for (const id of ids) {
      const { socket, outcome } = await hello(served, id);
      outcomes.push(outcome);
      socket.close();
    }
    expect(outcomes).toEqual(['welcome', 'welcome', 'welcome', 'welcome', WS_CLOSE_RATE_LIMITED, WS_CLOSE_RATE_LIMITED, WS_CLOSE_RATE_LIMITED]);
    for (const id of ids.slice(0, 4)) expect(await store.getSession(id)).toMatchObject({ consent: true });
    for (const id of ids.slice(4)) expect(await store.getSession(id)).toBeUndefined();
    expect(served.app.clientLimits.stats().hellosLimited).toBe(3);
  });

  it('closes repeated hellos of one session past its limit with 4429 and a reason naming the session', async () => {
    const served = await serve({ clientLimits: { hellosPerSession: { burst: 2, perSecond: NO_REFILL } } });
    const id = newId();
    expect((await hello(served, id)).outcome).toBe('welcome');
    expect((await hello(served, id)).outcome).toBe('welcome');
    const third = await hello(served, id);
    expect(await third.socket.closed).toMatchObject({ code: WS_CLOSE_RATE_LIMITED, reason: expect.stringContaining('this session') });
    // Another session from the same address is still welcome.
    expect((await hello(served, newId())).outcome).toBe('welcome');
  });

  it('closes the channel with 4429 once a session sends event batches past its limit, keeping the batches before', async () => {
    const served = await serve({ clientLimits: { eventsPerSession: { burst: 3, perSecond: NO_REFILL } } });
    sunk.length = 0;
    const { socket, outcome } = await hello(served, newId());
    expect(outcome).toBe('welcome');
    for (let i = 0; i < 5; i++) socket.send({ type: 'events', events: [pageView(), pageView()] });
    expect(await socket.closed).toMatchObject({ code: WS_CLOSE_RATE_LIMITED, reason: expect.stringContaining('event batches') });
    await eventually(() => expect(sunk.flat()).toHaveLength(6));
    expect(served.app.clientLimits.stats().eventsLimited).toBe(1);
  });

  it('answers POST /events past the limit per session with 429, Retry-After and a clear message', async () => {
    const served = await serve({ clientLimits: { eventsPerSession: { burst: 2, perSecond: 0.5 } } });
    const id = newId();
    await recordConsent(store, id, true);
    const post = () =>
      fetch(`${served.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId: id, events: [pageView()] }) });
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(202);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toMatchObject({ error: { code: 'client_rate_limited', message: expect.stringContaining('this session') } });
  });

  it('answers POST /events past the limit per address with 429 whatever session it names, before reading the store', async () => {
    const served = await serve({ clientLimits: { eventsPerAddress: { burst: 3, perSecond: NO_REFILL } } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Made-up ids without consent: the first three reach the consent check (403), the rest stop at the limit.
      const res = await fetch(`${served.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: newId(), events: [pageView()] }),
      });
      statuses.push(res.status);
      if (res.status === 429) expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('this address') } });
      else await res.body?.cancel();
    }
    expect(statuses).toEqual([403, 403, 403, 429, 429]);
  });
});
