import { once } from 'node:events';
import net from 'node:net';

/**
 * A TCP relay in front of a real server, with a plug a test can pull:
 * `cut()` drops every connection and refuses new ones (a crashed or
 * restarting server), `freeze()` keeps connections open but carries nothing
 * (a network partition), `restore()` goes back to relaying.
 * Used by the bus tests and the scale-out tests (one copy for both).
 */
export interface TcpRelay {
  /** `redis://127.0.0.1:<port>`: the relay as a Redis URL (the tests put it in front of Redis). */
  url: string;
  port: number;
  cut(): void;
  freeze(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  let mode: 'open' | 'cut' | 'frozen' = 'open';
  const pairs = new Set<[net.Socket, net.Socket]>();

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    upstream.on('error', () => undefined);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    if (mode === 'open') carry(pair);
    else stop(pair);
    const forget = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', forget);
    upstream.on('close', forget);
  });
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    cut() {
      mode = 'cut';
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    freeze() {
      mode = 'frozen';
      for (const pair of pairs) stop(pair);
    },
    restore() {
      const wasFrozen = mode === 'frozen';
      mode = 'open';
      if (wasFrozen) for (const pair of pairs) carry(pair);
    },
    async close() {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function carry([client, upstream]: [net.Socket, net.Socket]): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Unpiped and paused: bytes wait in the kernel, nothing is carried either way. */
function stop([client, upstream]: [net.Socket, net.Socket]): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
