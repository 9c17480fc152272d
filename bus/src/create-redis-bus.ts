import { describeZodError } from '@downspin/protocol';
import { Redis, type RedisOptions } from 'ioredis';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { BusUnavailableError } from './errors.js';
import { RedisBus } from './redis-bus.js';

export interface RedisBusOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS), e.g. from `REDIS_URL`. */
  url: string;
  /** Put before every channel name, so several deployments can share one Redis. Default `downspin:`. */
  prefix?: string;
  logger?: Logger;
  /** Name in CLIENT LIST (with -pub / -sub added), e.g. `downspin-proxy-1`. Default `<prefix>bus`. */
  connectionName?: string;
  /** Give up creating the bus after this long. Default 3000. */
  connectTimeoutMs?: number;
  /** PING period that finds a silently dead connection; 0 turns it off. Default 5000. */
  heartbeatMs?: number;
  /** A connection that leaves a command unanswered this long is dropped and rebuilt. Default 2000. */
  replyTimeoutMs?: number;
}

const SettingsSchema = z.strictObject({
  url: z.string().refine(isRedisUrl, { error: 'must be a redis:// or rediss:// URL' }),
  prefix: z.string().max(200).default('downspin:'),
  connectionName: z.string().min(1).max(200).optional(),
  connectTimeoutMs: z.number().int().min(1).max(600_000).default(3000),
  heartbeatMs: z.number().int().min(0).max(600_000).default(5000),
  replyTimeoutMs: z.number().int().min(1).max(600_000).default(2000),
});

/** Reconnect backoff: doubling from 100 ms up to 2 s, ±20% so a fleet of proxies does not reconnect in lockstep. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Connects a RedisBus and resolves once it can publish and receive. An
 * unreachable Redis or a bad URL rejects within `connectTimeoutMs` with a
 * one-line `BusUnavailableError` naming the URL (password hidden).
 *
 * @example
 * const bus = await createRedisBus({ url: process.env.REDIS_URL!, logger });
 * await bus.subscribe('acks', (ack) => acks.record(ack));
 * bus.onReconnect(() => void reloadFromStore());
 */
export async function createRedisBus(options: RedisBusOptions): Promise<RedisBus> {
  const { logger = pino({ level: 'silent' }), ...rest } = options;
  const parsed = SettingsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new BusUnavailableError(`Redis bus options for ${redactUrl(String(options.url))}: ${describeZodError(parsed.error)}`);
  }
  const settings = parsed.data;
  // Named, so an operator (or a test) can find this bus in CLIENT LIST; Redis refuses spaces in names.
  const name = (settings.connectionName ?? `${settings.prefix}bus`).replace(/[^\w:.-]/g, '_');
  const clientOptions = (role: string): RedisOptions => ({
    lazyConnect: true,
    connectionName: `${name}-${role}`,
    connectTimeout: settings.connectTimeoutMs,
    // Fail fast: no queue while down, no retry of commands caught by a disconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // RedisBus resubscribes itself, so it knows when subscriptions are back.
    autoResubscribe: false,
    // ioredis 5 quirk: a socketTimeout armed on a connection that then drops can
    // fire once on its replacement (redis/ioredis#2147): one extra reconnect, harmless.
    socketTimeout: settings.replyTimeoutMs,
    // After end(), a socket not closed by then is destroyed; the 2 s default also
    // holds the process open that long after a failed start.
    disconnectTimeout: 500,
    retryStrategy: reconnectDelayMs,
  });
  const bus = new RedisBus(
    { publisher: new Redis(settings.url, clientOptions('pub')), subscriber: new Redis(settings.url, clientOptions('sub')) },
    { prefix: settings.prefix, logger, heartbeatMs: settings.heartbeatMs },
  );

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), settings.connectTimeoutMs);
  });
  const outcome = await Promise.race([bus.connect().then(() => 'up' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'up') return bus;

  const reason = bus.lastFailure() ?? 'no answer';
  await bus.close();
  throw new BusUnavailableError(
    `cannot connect to Redis at ${redactUrl(settings.url)} within ${settings.connectTimeoutMs} ms: ${reason}`,
  );
}

function isRedisUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return (protocol === 'redis:' || protocol === 'rediss:') && hostname !== '';
  } catch {
    return false;
  }
}

/** The URL as it may be printed: any password replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
