import { BUS_CHANNELS, type BusChannel, type BusMessage } from '@downspin/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus, BusHandler, BusStats, DependencyStatus } from './bus.js';
import { encodeBusMessage } from './codec.js';
import { BusUnavailableError } from './errors.js';
import { Subscriptions } from './subscriptions.js';

/** One of the bus's two Redis connections and what we know of its health. */
interface Link {
  readonly role: 'publisher' | 'subscriber';
  readonly client: Redis;
  ready: boolean;
  /** Why it is down, from the latest error ('' while ready). */
  reason: string;
  /** One warning per outage; repeats of a reconnect loop go to debug. */
  warned: boolean;
}

export interface RedisBusSettings {
  prefix: string;
  logger: Logger;
  /** How often each connection is PINGed, so a silent dead link is noticed (0: never). */
  heartbeatMs: number;
}

/**
 * The command bus over Redis pub/sub: one connection publishes, one
 * subscribes (a subscribed connection can do nothing else). Made by
 * `createRedisBus`, which waits until both are up.
 *
 * While either connection is down, `status()` says so and `publish` rejects at
 * once (no offline queue: a command queued for minutes is worse than a 503).
 * ioredis reconnects with backoff; this class then restores the
 * subscriptions and calls the `onReconnect` listeners, since anything
 * published meanwhile is lost.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  private readonly publisher: Link;
  private readonly subscriber: Link;
  private readonly subscriptions: Subscriptions;
  private readonly channelsByWireName = new Map<string, BusChannel>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly upWaiters = new Set<() => void>();
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private readonly logger: Logger;
  private readonly prefix: string;
  /** A connection that was up went down since the bus was last fully up. */
  private lost = false;
  private closed = false;

  /** @internal Use `createRedisBus`. The clients must be made with `lazyConnect` and no auto-resubscribe. */
  constructor(clients: { publisher: Redis; subscriber: Redis }, settings: RedisBusSettings) {
    this.logger = settings.logger;
    this.prefix = settings.prefix;
    this.subscriptions = new Subscriptions(settings.logger);
    for (const channel of BUS_CHANNELS) this.channelsByWireName.set(this.wireName(channel), channel);
    this.publisher = this.watch('publisher', clients.publisher);
    this.subscriber = this.watch('subscriber', clients.subscriber);
    clients.publisher.on('ready', () => this.linkUp(this.publisher));
    clients.subscriber.on('ready', () => void this.resubscribe());
    clients.subscriber.on('message', (wireName: string, raw: string) => {
      const channel = this.channelsByWireName.get(wireName);
      if (channel) this.subscriptions.receive(channel, raw);
    });
    if (settings.heartbeatMs > 0) {
      // A PING unanswered within the clients' socketTimeout makes ioredis drop and rebuild the link.
      this.heartbeat = setInterval(() => {
        for (const link of [this.publisher, this.subscriber]) {
          if (link.client.status === 'ready') link.client.ping().catch(() => undefined);
        }
      }, settings.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** @internal Starts both connections; resolves once both are up (callers race it with a timeout). */
  connect(): Promise<void> {
    const up = new Promise<void>((resolve) => this.upWaiters.add(resolve));
    // Failures show as 'error' events (handled in watch) and ioredis retries by itself.
    this.publisher.client.connect().catch(() => undefined);
    this.subscriber.client.connect().catch(() => undefined);
    return up;
  }

  /** @internal The latest error of a connection that is down, for the creation error. */
  lastFailure(): string | undefined {
    return [this.publisher, this.subscriber].find((link) => !link.ready && link.reason)?.reason;
  }

  async publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void> {
    if (this.closed) throw new BusUnavailableError('bus is closed');
    const raw = encodeBusMessage(channel, message);
    const { client } = this.publisher;
    if (client.status !== 'ready') {
      throw new BusUnavailableError(`Redis bus unavailable: ${this.publisher.reason || client.status}`);
    }
    try {
      await client.publish(this.wireName(channel), raw);
    } catch (error) {
      throw new BusUnavailableError(`Redis bus unavailable: ${describeError(error)}`, { cause: error });
    }
    this.subscriptions.stats.published++;
  }

  async subscribe<C extends BusChannel>(channel: C, handler: BusHandler<C>): Promise<() => Promise<void>> {
    if (this.closed) throw new BusUnavailableError('bus is closed');
    const entry = handler as BusHandler<BusChannel>;
    const wireName = this.wireName(channel);
    const { client } = this.subscriber;
    // While the subscriber is down the handler just waits: reconnecting subscribes every channel in use.
    if (this.subscriptions.add(channel, entry) && client.status === 'ready') {
      try {
        await client.subscribe(wireName);
      } catch (error) {
        // Lost the connection meanwhile: the resubscribe covers it. Still up: Redis refused (e.g. ACL).
        if (client.status === 'ready') {
          this.subscriptions.remove(channel, entry);
          throw new BusUnavailableError(`could not subscribe to ${wireName}: ${describeError(error)}`, { cause: error });
        }
      }
    }
    return async () => {
      if (!this.subscriptions.remove(channel, entry) || client.status !== 'ready') return;
      // Commands on one connection run in order, so a later SUBSCRIBE still wins over this.
      await client.unsubscribe(wireName).catch((error: unknown) => {
        this.logger.debug({ err: error, channel: wireName }, 'unsubscribe failed; the next reconnect drops it');
      });
    };
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  status(): DependencyStatus {
    if (this.closed) return { ok: false, detail: 'closed' };
    const down = [this.publisher, this.subscriber].find((link) => !link.ready);
    if (!down) return { ok: true, detail: 'connected' };
    return { ok: false, detail: `reconnecting: ${down.reason || 'connecting'}` };
  }

  stats(): BusStats {
    return { ...this.subscriptions.stats };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.subscriptions.clear();
    this.reconnectListeners.clear();
    await Promise.all([quit(this.publisher.client), quit(this.subscriber.client)]);
  }

  private wireName(channel: BusChannel): string {
    return `${this.prefix}${channel}`;
  }

  private watch(role: Link['role'], client: Redis): Link {
    const link: Link = { role, client, ready: false, reason: '', warned: false };
    client.on('error', (error: unknown) => {
      link.reason = describeError(error);
      if (this.closed) return;
      const level = link.warned ? 'debug' : 'warn';
      link.warned = true;
      this.logger[level]({ connection: role, reason: link.reason }, 'Redis bus connection error');
    });
    client.on('close', () => {
      if (this.closed || !link.ready) return;
      link.ready = false;
      this.lost = true;
      // A kill or a clean close has no error event; an error, if any, came just before.
      link.reason ||= 'connection lost';
      this.logger.warn({ connection: role, reason: link.reason }, 'Redis bus connection lost; reconnecting');
    });
    return link;
  }

  /** On each (re)connect of the subscriber: subscribe every channel in use, then count it as up. */
  private async resubscribe(): Promise<void> {
    const { client } = this.subscriber;
    const wireNames = this.subscriptions.channels().map((channel) => this.wireName(channel));
    try {
      if (wireNames.length > 0) await client.subscribe(...wireNames);
    } catch (error) {
      // Lost again meanwhile: the next 'ready' retries.
      this.logger.debug({ err: error }, 'resubscribe failed');
      return;
    }
    if (client.status === 'ready') this.linkUp(this.subscriber);
  }

  private linkUp(link: Link): void {
    if (this.closed) return;
    link.ready = true;
    link.reason = '';
    link.warned = false;
    if (!this.publisher.ready || !this.subscriber.ready) return;
    for (const resolve of this.upWaiters) resolve();
    this.upWaiters.clear();
    if (!this.lost) return;
    this.lost = false;
    this.logger.info('Redis bus reconnected');
    const failed = (error: unknown): void => this.logger.error({ err: error }, 'bus reconnect listener failed');
    for (const listener of this.reconnectListeners) {
      try {
        // Typed as returning void, but an async listener must not become an unhandled rejection.
        const result: unknown = listener();
        if (result instanceof Promise) result.catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }
}

/** Quits politely when connected, else just drops the socket (QUIT cannot be queued). */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect();
}

/** A short reason for logs and status: the message, with the error code when the message lacks it. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  // Node's happy-eyeballs connect (localhost: ::1 and 127.0.0.1) fails with an AggregateError without a message.
  const message = error.message || (error instanceof AggregateError ? error.errors.map(describeError).join('; ') : '');
  const code = (error as NodeJS.ErrnoException).code;
  const withCode = typeof code === 'string' && !message.includes(code) ? [code, message].filter(Boolean).join(': ') : message;
  return oneLine(withCode || error.name);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
