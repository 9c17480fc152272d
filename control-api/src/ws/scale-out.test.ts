import { randomBytes } from 'node:crypto';
import { createRedisBus, MemoryBus, MemoryBusHub, type Bus } from '@downspin/bus';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { WS_CLOSE_TERMINATED } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serveApi, type ServedApi } from '../test-support/served.js';
import { connect, type TestSocket } from '@downspin/testing';

const newId = (): string => `x-${randomBytes(6).toString('hex')}`;

interface Fleet {
  buses: [Bus, Bus];
}

const fleets: [string, () => Promise<Fleet>][] = [
  [
    'MemoryBusHub',
    async () => {
      const hub = new MemoryBusHub();
      return { buses: [new MemoryBus({ hub }), new MemoryBus({ hub })] };
    },
  ],
  [
    'Redis',
    async () => {
      const prefix = `${inject('redisPrefix')}scale-${randomBytes(3).toString('hex')}:`;
      const url = inject('redisUrl');
      return { buses: [await createRedisBus({ url, prefix }), await createRedisBus({ url, prefix })] };
    },
  ],
];

/**
 * Two control instances sharing one bus and one store, as behind a load
 * balancer: an API call on either reaches the extension socket held by the
 * other, and only the socket of the session named.
 */
describe.each(fleets)('two control instances on one bus (%s)', (_name, makeFleet) => {
  let store: SessionStore;
  let fleet: Fleet;
  let a: ServedApi;
  let b: ServedApi;

  beforeAll(async () => {
    store = await createPgliteStore();
    fleet = await makeFleet();
    a = await serveApi(store, fleet.buses[0]);
    // One instance folds activity into the store; the other only reads.
    b = await serveApi(store, fleet.buses[1], { ingestActivity: false });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const bus of fleet?.buses ?? []) await bus.close();
    await store?.close();
  });

  async function extension(api: ServedApi, sessionId: string): Promise<TestSocket> {
    const socket = await connect(`${api.wsUrl}/ws/client`);
    socket.send({ type: 'hello', sessionId, consent: true });
    await socket.next((m) => m.type === 'welcome');
    return socket;
  }

  it('delivers a notify sent through A to the session’s socket on B, and to no other session', async () => {
    const target = newId();
    const bystander = newId();
    const onB = await extension(b, target);
    const bystanderOnA = await extension(a, bystander);
    const bystanderOnB = await extension(b, bystander);

    const res = await a.call('POST', `/admin/sessions/${target}/notify`, { message: 'Maintenance at noon', type: 'info' });
    expect(res.status).toBe(202);
    const { notification } = (await res.json()) as { notification: { id: string } };
    expect(await onB.next((m) => m.type === 'notify')).toEqual({ type: 'notify', id: notification.id, message: 'Maintenance at noon', level: 'info' });

    // Sent after the first: when it has arrived, the first would have too.
    await a.call('POST', `/admin/sessions/${bystander}/notify`, { message: 'marker' });
    for (const socket of [bystanderOnA, bystanderOnB]) {
      await socket.next((m) => m.message === 'marker');
      expect(socket.messages.filter((m) => (m as { type: string }).type === 'notify')).toEqual([expect.objectContaining({ message: 'marker' })]);
    }
    for (const socket of [onB, bystanderOnA, bystanderOnB]) socket.close();
  });

  it('terminates through B a session whose sockets are on A and B: told, then closed 4403', async () => {
    const id = newId();
    const onA = await extension(a, id);
    const onB = await extension(b, id);
    const res = await b.call('POST', `/admin/sessions/${id}/terminate`, { reason: 'load test finished' });
    expect(res.status).toBe(200);
    for (const socket of [onA, onB]) {
      expect(await socket.closed).toMatchObject({ code: WS_CLOSE_TERMINATED });
      expect(socket.messages.at(-1)).toEqual({ type: 'terminate', reason: 'load test finished' });
    }
  });

  it('opens the dashboard on B with a ticket issued by A', async () => {
    const issued = await a.call('POST', '/admin/ws-ticket');
    expect(issued.status).toBe(201);
    const { path } = (await issued.json()) as { path: string };
    const dashboard = await connect(`${b.wsUrl}${path}`);
    await dashboard.next((m) => m.type === 'snapshot');
    dashboard.close();
  });
});
