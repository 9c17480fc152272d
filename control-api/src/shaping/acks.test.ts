import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { AckCollector } from './acks.js';

describe('AckCollector', () => {
  it('answers acknowledged once every expected proxy acked, and names the rest after the timeout', async () => {
    const acks = new AckCollector();
    const all = acks.expect('c1', ['p1', 'p2'], 1000);
    acks.observe({ type: 'ack', commandId: 'c1', proxyId: 'p2', sessionId: 's', version: 1 });
    acks.observe({ type: 'ack', commandId: 'c1', proxyId: 'p1', sessionId: 's', version: 1 });
    expect(await all.outcome).toEqual({ acknowledged: true, appliedBy: ['p1', 'p2'], pending: [] });

    const some = acks.expect('c2', ['p1', 'p2'], 30);
    acks.observe({ type: 'ack', commandId: 'c2', proxyId: 'p1', sessionId: 's', version: 2 });
    expect(await some.outcome).toEqual({ acknowledged: false, appliedBy: ['p1'], pending: ['p2'] });
  });

  it('counts an ack that arrived on a socket during an event-loop stall longer than the timeout', async () => {
    const acks = new AckCollector();
    const server = net.createServer((socket) => socket.on('data', () => acks.observe({ type: 'ack', commandId: 'c3', proxyId: 'p1', sessionId: 's', version: 3 })));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(client, 'connect');
    await new Promise((resolve) => setTimeout(resolve, 20));

    const waiting = acks.expect('c3', ['p1'], 20);
    // A busy loop: by the time it turns again, the proxy's ack is on the socket and the
    // timeout is due as well. Timers run before sockets are read.
    setTimeout(() => client.write('ack'), 5);
    const until = performance.now() + 40;
    while (performance.now() < until) {
      // stalled
    }
    expect(await waiting.outcome).toEqual({ acknowledged: true, appliedBy: ['p1'], pending: [] });
    client.destroy();
    server.close();
  });
});
