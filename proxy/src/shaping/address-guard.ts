import type { Logger } from 'pino';
import { Verdict, type GateContext } from '../effects/index.js';
import { GateDecision } from './gates.js';
import { RateLimitEffect } from '../effects/rate-limit.js';
import type { AddressGuardOptions } from '../options.js';

type Bucket = ReturnType<RateLimitEffect['createState']>;

export type AddressRefusal = 'address_rate_limited' | 'address_banned';

interface AddressState {
  bucket: Bucket;
  violations: number;
  /** performance.now() until which the address is banned. */
  bannedUntil: number;
}

/**
 * The per-address abuse guard. Session controls (rate limits, bans,
 * terminate) key on the session id, which a client chooses: rotating ids,
 * or sending none and taking a fresh cookie each time, evades all of them.
 * This guard keys on the TCP peer address instead and runs before the
 * session is resolved: a token bucket per address (the same RateLimitEffect
 * sessions use) answers 429 over the rate, and `maxViolations` refusals ban
 * the address (403) for `banMs`.
 *
 * The peer address only: X-Forwarded-For is the client's to write. Behind a
 * load balancer or one office NAT every client shares an address, which is
 * why the guard is off by default. Memory is bounded: at most
 * `maxAddresses` entries, idle ones swept every minute.
 */
export class AddressGuard {
  private readonly addresses = new Map<string, AddressState>();
  private readonly limit: RateLimitEffect;
  /** Reused for every check: the guard decides one request at a time, synchronously. */
  private readonly decision = new GateDecision(0, 0);
  private readonly sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: AddressGuardOptions,
    private readonly logger: Logger,
  ) {
    this.limit = new RateLimitEffect({ rps: options.rps, burst: options.burst });
    if (options.enabled) {
      this.sweeper = setInterval(() => this.sweep(), 60_000);
      this.sweeper.unref();
    }
  }

  /**
   * The admission check, before the session is resolved (called by
   * `admit`): returns the error to answer, with its headers (Retry-After,
   * RateLimit-*) added to `reply`, or undefined to admit the request.
   */
  refusal(address: string, reply: Pick<GateContext, 'addHeader'>): AddressRefusal | undefined {
    if (!this.options.enabled) return undefined;
    const code = this.check(address, performance.now());
    if (code === undefined) return undefined;
    const headers = this.decision.headers;
    if (headers !== undefined) for (let i = 0; i < headers.length; i += 2) reply.addHeader(headers[i]!, headers[i + 1]!);
    return code;
  }

  /** Decides one request from `address` at `now` (performance.now()): undefined to admit it. */
  check(address: string, now: number): AddressRefusal | undefined {
    let state = this.addresses.get(address);
    if (state === undefined) {
      if (this.addresses.size >= this.options.maxAddresses) this.forgetOldest();
      state = { bucket: this.limit.createState(), violations: 0, bannedUntil: 0 };
      state.bucket.refilledAt = now;
      this.addresses.set(address, state);
    }
    const decision = this.decision;
    decision.reset(now, 0);
    if (state.bannedUntil > now) {
      decision.addHeader('Retry-After', String(Math.ceil((state.bannedUntil - now) / 1000)));
      return 'address_banned';
    }
    this.limit.gate(decision, state.bucket);
    if (decision.verdict !== Verdict.Respond) return undefined;
    if (++state.violations >= this.options.maxViolations) {
      state.violations = 0;
      state.bannedUntil = now + this.options.banMs;
      this.logger.warn({ address, banMs: this.options.banMs }, 'address banned after repeated rate-limit violations');
    }
    return 'address_rate_limited';
  }

  /** Addresses remembered. */
  get size(): number {
    return this.addresses.size;
  }

  close(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.addresses.clear();
  }

  /** Forgets addresses with a full bucket and no ban: remembering them changes nothing. */
  private sweep(): void {
    const now = performance.now();
    const refillMs = (this.options.burst / this.options.rps) * 1000;
    for (const [address, state] of this.addresses) {
      if (state.bannedUntil <= now && now - state.bucket.refilledAt >= refillMs) this.addresses.delete(address);
    }
  }

  /** Map order is insertion order: the first key is the address known longest. */
  private forgetOldest(): void {
    const oldest = this.addresses.keys().next();
    if (oldest.done !== true) this.addresses.delete(oldest.value);
  }
}
