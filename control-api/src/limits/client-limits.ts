import { TokenBuckets, type BucketRate } from './token-buckets.js';

/**
 * Limits on what clients without an API key may do: the extension's
 * `/ws/client` channel and `POST /events`. A session id is the only
 * credential there, and anyone can make one up, so every limit exists per
 * session and per source address.
 */
export interface ClientLimitsOptions {
  /** Open `/ws/client` connections per source address. Default 64. */
  connectionsPerAddress?: number;
  /** Hellos (each records consent, creating the session if new) per source address. Default 60, then 2/s. */
  hellosPerAddress?: BucketRate;
  /** Hellos per session id. Default 10, then 1 every 5 s. */
  hellosPerSession?: BucketRate;
  /** Event batches (WebSocket or POST) per source address. Default 200, then 50/s. */
  eventsPerAddress?: BucketRate;
  /** Event batches per session id. Default 60, then 10/s. */
  eventsPerSession?: BucketRate;
}

/** Allowed (0), or refused with the seconds to wait and which limit said no. */
export type LimitVerdict = { retryAfterS: 0 } | { retryAfterS: number; limit: 'address' | 'session' };

export interface ClientLimitStats {
  /** `/ws/client` upgrades refused: too many open from one address. */
  connectionsRefused: number;
  hellosLimited: number;
  eventsLimited: number;
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are one address. */
export const addressKey = (address: string | undefined): string => (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

export class ClientLimits {
  readonly connectionsPerAddress: number;
  private readonly open = new Map<string, number>();
  private readonly hellosByAddress: TokenBuckets;
  private readonly hellosBySession: TokenBuckets;
  private readonly eventsByAddress: TokenBuckets;
  private readonly eventsBySession: TokenBuckets;
  private readonly counts: ClientLimitStats = { connectionsRefused: 0, hellosLimited: 0, eventsLimited: 0 };

  constructor(options: ClientLimitsOptions = {}) {
    this.connectionsPerAddress = options.connectionsPerAddress ?? 64;
    this.hellosByAddress = new TokenBuckets(options.hellosPerAddress ?? { burst: 60, perSecond: 2 });
    this.hellosBySession = new TokenBuckets(options.hellosPerSession ?? { burst: 10, perSecond: 0.2 });
    this.eventsByAddress = new TokenBuckets(options.eventsPerAddress ?? { burst: 200, perSecond: 50 });
    this.eventsBySession = new TokenBuckets(options.eventsPerSession ?? { burst: 60, perSecond: 10 });
  }

  /** Whether one more connection from `address` fits (call `opened` once it is open). */
  mayConnect(address: string): boolean {
    if ((this.open.get(address) ?? 0) < this.connectionsPerAddress) return true;
    this.counts.connectionsRefused++;
    return false;
  }

  opened(address: string): void {
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
  }

  closed(address: string): void {
    const left = (this.open.get(address) ?? 0) - 1;
    if (left > 0) this.open.set(address, left);
    else this.open.delete(address);
  }

  hello(address: string, sessionId: string): LimitVerdict {
    const verdict = check(this.hellosByAddress, address, this.hellosBySession, sessionId);
    if (verdict.retryAfterS > 0) this.counts.hellosLimited++;
    return verdict;
  }

  /** Per address only: checked before a body is even read. */
  eventsFromAddress(address: string): LimitVerdict {
    const wait = this.eventsByAddress.take(address);
    if (wait === 0) return { retryAfterS: 0 };
    this.counts.eventsLimited++;
    return { retryAfterS: wait, limit: 'address' };
  }

  eventsFromSession(sessionId: string): LimitVerdict {
    const wait = this.eventsBySession.take(sessionId);
    if (wait === 0) return { retryAfterS: 0 };
    this.counts.eventsLimited++;
    return { retryAfterS: wait, limit: 'session' };
  }

  /** Both limits of one batch of events on the channel. */
  events(address: string, sessionId: string): LimitVerdict {
    const byAddress = this.eventsFromAddress(address);
    return byAddress.retryAfterS > 0 ? byAddress : this.eventsFromSession(sessionId);
  }

  stats(): ClientLimitStats {
    return { ...this.counts };
  }
}

function check(byAddress: TokenBuckets, address: string, bySession: TokenBuckets, sessionId: string): LimitVerdict {
  const addressWait = byAddress.take(address);
  if (addressWait > 0) return { retryAfterS: addressWait, limit: 'address' };
  const sessionWait = bySession.take(sessionId);
  if (sessionWait > 0) return { retryAfterS: sessionWait, limit: 'session' };
  return { retryAfterS: 0 };
}

/** Words for a refusal, for a 429 body or a close reason (at most 123 bytes). */
export function describeLimit(what: 'hellos' | 'event batches', verdict: LimitVerdict): string {
  const scope = 'limit' in verdict && verdict.limit === 'session' ? 'this session' : 'this address';
  return `too many ${what} from ${scope}; retry in ${verdict.retryAfterS} s`;
}
