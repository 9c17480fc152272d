/** A token bucket's shape: `burst` tokens at most, refilled at `perSecond`. */
export interface BucketRate {
  burst: number;
  perSecond: number;
}

interface Bucket {
  tokens: number;
  /** performance.now() of the last refill. */
  at: number;
}

/**
 * One token bucket per key (a source address, a session id), for limits on
 * clients that hold no API key. The keys are what an attacker controls, so
 * the map is bounded: past `maxKeys` the least recently used bucket is
 * dropped (a dropped bucket comes back full, which only ever lets a key
 * through sooner; a second, coarser bucket per address still holds).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: BucketRate,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token: 0 when taken, else the whole seconds until one is there. */
  take(key: string): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.rate.burst, at: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      this.buckets.delete(key);
      bucket.tokens = Math.min(this.rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate.perSecond);
      bucket.at = now;
    }
    // Re-inserted at the end: Map order is least recently used first.
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate.perSecond));
  }
}
