import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { startTcpRelay, type TcpRelay } from '@downspin/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import type { Bus } from './bus.js';
import { SAMPLE_MESSAGES, describeBusContract } from './contract.js';
import { createRedisBus, type RedisBusOptions } from './create-redis-bus.js';
import { BusUnavailableError } from './errors.js';
import type { RedisBus } from './redis-bus.js';
import './test-support/provided.js';

const redisUrl = inject('redisUrl');

/** Every channel of a test under this run's prefix plus its own part, so concurrent runs never meet. */
function testPrefix(): string {
  return `${inject('redisPrefix')}${randomUUID().slice(0, 8)}:`;
}

function rawClient(): Redis {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return client;
}

function eventually(assertion: () => void | Promise<void>): Promise<void> {
  return vi.waitFor(assertion, { timeout: 15_000, interval: 20 });
}

describeBusContract('RedisBus', async () => {
  const prefix = testPrefix();
  const raw = rawClient();
  const buses: Bus[] = [];
  return {
    open: async () => {
      const bus = await createRedisBus({ url: redisUrl, prefix });
      buses.push(bus);
      return bus;
    },
    publishRaw: async (channel, text) => {
      await raw.publish(`${prefix}${channel}`, text);
    },
    close: async () => {
      await Promise.all(buses.map((bus) => bus.close()));
      await raw.quit();
    },
  };
});

describe('RedisBus', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  async function open(options: Partial<RedisBusOptions> & { prefix: string }): Promise<RedisBus> {
    const bus = await createRedisBus({ url: redisUrl, ...options });
    cleanups.push(() => bus.close());
    return bus;
  }
  function admin(): Redis {
    const client = rawClient();
    cleanups.push(() => client.quit());
    return client;
  }
  async function relay(): Promise<TcpRelay> {
    const { hostname, port } = new URL(redisUrl);
    const started = await startTcpRelay({ host: hostname, port: Number(port || 6379) });
    cleanups.push(() => started.close());
    return started;
  }
  /** Ids of the clients whose CLIENT SETNAME starts with the prefix. */
  async function clientIds(client: Redis, prefix: string): Promise<string[]> {
    const list = (await client.client('LIST')) as string;
    return list
      .split('\n')
      .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('=') as [string, string])))
      .filter((fields) => fields.name?.startsWith(prefix))
      .map((fields) => fields.id as string);
  }

  it('publishes JSON on <prefix><channel>, readable by any Redis client', async () => {
    const prefix = testPrefix();
    const bus = await open({ prefix });
    const listener = admin();
    const received = new Promise<[string, string]>((resolve) => listener.once('message', (...args: [string, string]) => resolve(args)));
    await listener.subscribe(`${prefix}commands`);
    await bus.publish('commands', SAMPLE_MESSAGES.commands);
    const [channel, text] = await received;
    expect(channel).toBe(`${prefix}commands`);
    expect(JSON.parse(text)).toEqual(SAMPLE_MESSAGES.commands);
  });

  it('is connected after creation and has not called onReconnect', async () => {
    const bus = await open({ prefix: testPrefix() });
    const reconnects = vi.fn();
    bus.onReconnect(reconnects);
    expect(bus.status()).toEqual({ ok: true, detail: 'connected' });
    await bus.publish('acks', SAMPLE_MESSAGES.acks);
    expect(reconnects).not.toHaveBeenCalled();
  });

  it('after Redis kills its connections: reconnects, resubscribes, calls onReconnect, delivers again', async () => {
    const prefix = testPrefix();
    const proxy = await open({ prefix, connectionName: `${prefix}proxy` });
    const control = await open({ prefix, connectionName: `${prefix}control` });
    const seen: string[] = [];
    await proxy.subscribe('acks', (m) => void seen.push(m.commandId));
    // A listener that fails must not keep the others from hearing of the reconnect.
    proxy.onReconnect(() => {
      throw new Error('listener bug');
    });
    proxy.onReconnect(async () => {
      throw new Error('async listener bug');
    });
    const reconnects = vi.fn();
    proxy.onReconnect(reconnects);
    const controlReconnects = vi.fn();
    control.onReconnect(controlReconnects);

    // Only this test's proxy bus (found by its connection names); the control bus stays up.
    const redis = admin();
    const ids = await clientIds(redis, `${prefix}proxy`);
    expect(ids).toHaveLength(2);
    for (const id of ids) await redis.client('KILL', 'ID', id);

    await eventually(() => expect(reconnects).toHaveBeenCalledTimes(1));
    expect(proxy.status()).toEqual({ ok: true, detail: 'connected' });
    await control.publish('acks', { ...SAMPLE_MESSAGES.acks, commandId: 'after-kill' });
    await eventually(() => expect(seen).toEqual(['after-kill']));
    expect(controlReconnects).not.toHaveBeenCalled();
  });

  it('while Redis is unreachable: reports it, rejects publish at once; recovers by itself', async () => {
    const prefix = testPrefix();
    const link = await relay();
    const proxy = await open({ prefix, url: link.url });
    const control = await open({ prefix });
    const seen: string[] = [];
    await proxy.subscribe('acks', (m) => void seen.push(m.commandId));
    const reconnects = vi.fn();
    proxy.onReconnect(reconnects);

    link.cut();
    await eventually(() => expect(proxy.status().ok).toBe(false));
    expect(proxy.status().detail).toMatch(/^reconnecting: \S/);
    const started = performance.now();
    await expect(proxy.publish('acks', SAMPLE_MESSAGES.acks)).rejects.toThrow(BusUnavailableError);
    // Refused at once rather than queued until the link is back (a queued publish would wait for restore()).
    expect(performance.now() - started).toBeLessThan(2000);
    expect(reconnects).not.toHaveBeenCalled();
    // Subscribing meanwhile is accepted and takes effect once the link is back.
    const presence: string[] = [];
    await proxy.subscribe('presence', (m) => void presence.push(m.proxyId));

    link.restore();
    await eventually(() => expect(reconnects).toHaveBeenCalledTimes(1));
    expect(proxy.status()).toEqual({ ok: true, detail: 'connected' });
    await control.publish('acks', { ...SAMPLE_MESSAGES.acks, commandId: 'back' });
    await control.publish('presence', { ...SAMPLE_MESSAGES.presence, proxyId: 'proxy-b' });
    await eventually(() => expect(seen).toEqual(['back']));
    await eventually(() => expect(presence).toEqual(['proxy-b']));
    await proxy.publish('acks', { ...SAMPLE_MESSAGES.acks, commandId: 'from-proxy' });
    await eventually(() => expect(seen).toEqual(['back', 'from-proxy']));
  });

  it('notices a silent network partition through its heartbeat, then recovers', async () => {
    const prefix = testPrefix();
    const link = await relay();
    const proxy = await open({ prefix, url: link.url, heartbeatMs: 100, replyTimeoutMs: 400 });
    const reconnects = vi.fn();
    proxy.onReconnect(reconnects);
    const seen: string[] = [];
    await proxy.subscribe('acks', (m) => void seen.push(m.commandId));

    link.freeze();
    await eventually(() => expect(proxy.status().ok).toBe(false));
    await expect(proxy.publish('acks', SAMPLE_MESSAGES.acks)).rejects.toThrow(BusUnavailableError);

    link.restore();
    await eventually(() => expect(reconnects).toHaveBeenCalled());
    await eventually(() => expect(proxy.status().ok).toBe(true));
    const control = await open({ prefix });
    await control.publish('acks', { ...SAMPLE_MESSAGES.acks, commandId: 'healed' });
    await eventually(() => expect(seen).toContain('healed'));
  });

  it('close() quits both connections', async () => {
    const prefix = testPrefix();
    const bus = await createRedisBus({ url: redisUrl, prefix });
    const redis = admin();
    expect(await clientIds(redis, `${prefix}bus`)).toHaveLength(2);
    await bus.close();
    await eventually(async () => expect(await clientIds(redis, `${prefix}bus`)).toEqual([]));
  });
});

describe('createRedisBus when Redis cannot be used', () => {
  /** A port on which nothing listens (taken from the OS, then released). */
  async function closedPort(): Promise<number> {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  async function failure(options: RedisBusOptions): Promise<{ error: Error; ms: number }> {
    const started = performance.now();
    const error = await createRedisBus(options).then(
      () => new Error('expected createRedisBus to fail'),
      (reason: unknown) => reason as Error,
    );
    return { error, ms: performance.now() - started };
  }

  it('fails within connectTimeoutMs with one line naming the URL when nothing listens', async () => {
    const consoleError = vi.spyOn(console, 'error');
    const port = await closedPort();
    const { error, ms } = await failure({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1000 });
    expect(error).toBeInstanceOf(BusUnavailableError);
    expect(error.message).toContain(`redis://127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('\n');
    expect(ms).toBeLessThan(1000 + 3000);
    // ioredis prints unhandled 'error' events with console.error: there must be none.
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
  });

  it('fails within connectTimeoutMs when the server accepts but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as net.AddressInfo;
    try {
      const { error, ms } = await failure({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 800 });
      expect(error.message).toMatch(new RegExp(`^cannot connect to Redis at redis://127\\.0\\.0\\.1:${port}/? within 800 ms: `));
      expect(ms).toBeGreaterThanOrEqual(790);
      expect(ms).toBeLessThan(800 + 3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('rejects a URL that is not redis:// at once, in one line', async () => {
    for (const url of ['http://127.0.0.1:6379', 'not a url', 'redis://']) {
      const { error, ms } = await failure({ url });
      expect(error).toBeInstanceOf(BusUnavailableError);
      expect(error.message).toContain('must be a redis:// or rediss:// URL');
      expect(error.message).not.toContain('\n');
      expect(ms).toBeLessThan(2000);
    }
  });

  it('never prints the password of the URL', async () => {
    const port = await closedPort();
    const { error } = await failure({ url: `redis://app:hunter2@127.0.0.1:${port}`, connectTimeoutMs: 300 });
    expect(error.message).toContain(`redis://app:***@127.0.0.1:${port}`);
    expect(error.message).not.toContain('hunter2');
    const invalid = await failure({ url: 'http://app:hunter2@example.test' });
    expect(invalid.error.message).not.toContain('hunter2');
  });
});
