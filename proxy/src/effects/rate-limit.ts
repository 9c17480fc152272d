import { rateLimitBurst, type RateLimitSettings } from '@downspin/protocol';
import type { GateContext, RequestGate, StatefulEffect } from './effect.js';
import { registerEffect } from './registry.js';

interface Bucket {
  tokens: number;
  /** performance.now() of the last refill. */
  refilledAt: number;
}

/**
 * Token bucket: `rps` tokens a second up to `burst`. Over it the proxy
 * answers 429 with Retry-After and the RateLimit-* headers (IETF draft:
 * Limit = bucket size, Remaining = whole tokens left, Reset = seconds until
 * the bucket is full again).
 */
export class RateLimitEffect implements RequestGate<Bucket>, StatefulEffect<Bucket> {
  readonly type = 'rateLimit';
  readonly gateOrder = 10;
  readonly burst: number;
  private readonly perMs: number;
  private readonly limitHeader: string;

  constructor(readonly settings: RateLimitSettings) {
    this.burst = rateLimitBurst(settings);
    this.perMs = settings.rps / 1000;
    this.limitHeader = String(this.burst);
  }

  createState(): Bucket {
    return { tokens: this.burst, refilledAt: performance.now() };
  }

  gate(context: GateContext, bucket: Bucket): void {
    // Limits requests and handshakes; a message of an open WebSocket is not a request.
    if (context.message) return;
    const now = context.now;
    // A bucket made while this request was being admitted (a timeline step that began
    // with it, a parked session woken by it) is younger than the request: it is full as made.
    if (now > bucket.refilledAt) {
      const refilled = bucket.tokens + (now - bucket.refilledAt) * this.perMs;
      bucket.tokens = refilled > this.burst ? this.burst : refilled;
      bucket.refilledAt = now;
    }
    context.addHeader('RateLimit-Limit', this.limitHeader);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      context.addHeader('RateLimit-Remaining', String(Math.floor(bucket.tokens)));
      context.addHeader('RateLimit-Reset', String(Math.ceil((this.burst - bucket.tokens) / this.perMs / 1000)));
      return;
    }
    const retryAfterS = Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
    context.addHeader('RateLimit-Remaining', '0');
    context.addHeader('RateLimit-Reset', String(Math.ceil((this.burst - bucket.tokens) / this.perMs / 1000)));
    context.addHeader('Retry-After', String(retryAfterS));
    context.respond(429, 'rate_limited');
  }
}

registerEffect('rateLimit', (settings) => new RateLimitEffect(settings));
