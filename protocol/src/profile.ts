import { z } from 'zod';
import { routeGlobProblem } from './route-glob.js';
import { plainText } from './text.js';

/** Jitter distributions for latency. */
export const LATENCY_DISTRIBUTIONS = ['uniform', 'normal', 'pareto'] as const;
export type LatencyDistribution = (typeof LATENCY_DISTRIBUTIONS)[number];

/** Most delay one request may be given (ten minutes): every latency setting, and the proxy's drawn delay, stop here. */
export const MAX_LATENCY_MS = 600_000;
/**
 * Slowest bandwidth, kbit/s. Below it a paced slice would wait longer than a
 * timer can (2^31 ms), and Node fires an overflowed timer at once: 1e-9 kbps
 * used to deliver *faster*. One kbit/s already takes 4 s per 512-byte slice.
 */
export const MIN_KBPS = 1;
export const MAX_KBPS = 10_000_000;
/** Slowest rate limit: one request per 100 s, so Retry-After stays a small whole number of seconds. */
export const MIN_RPS = 0.01;
export const MAX_RPS = 1_000_000;
const rate = z.number().min(0).max(1);

export const LatencySchema = z.strictObject({
  /** Base delay added before the request goes upstream. */
  ms: z.number().int().min(0).max(MAX_LATENCY_MS),
  /** uniform: ± jitterMs; normal: standard deviation; pareto: scale of the tail above ms. */
  jitterMs: z.number().int().min(0).max(MAX_LATENCY_MS).default(0),
  distribution: z
    .enum(LATENCY_DISTRIBUTIONS, { error: `distribution must be one of ${LATENCY_DISTRIBUTIONS.join(', ')}` })
    .default('uniform'),
});

export const BandwidthSchema = z
  .strictObject({
    /** Response bodies, upstream → client, in kilobits (1000 bits) per second. */
    downKbps: z.number().min(MIN_KBPS).max(MAX_KBPS).optional(),
    /** Request bodies, client → upstream, in kilobits per second. */
    upKbps: z.number().min(MIN_KBPS).max(MAX_KBPS).optional(),
  })
  .refine((b) => b.downKbps !== undefined || b.upKbps !== undefined, {
    message: 'bandwidth needs downKbps or upKbps',
  });

export const RateLimitSchema = z.strictObject({
  /** Tokens added per second. */
  rps: z.number().min(MIN_RPS).max(MAX_RPS),
  /** Bucket size; defaults to ceil(rps), at least 1. */
  burst: z.number().int().min(1).max(1_000_000).optional(),
});

export const FaultsSchema = z
  .strictObject({
    /** Share of requests answered with `status` without calling upstream. */
    errorRate: rate.default(0),
    status: z.number().int().min(400).max(599).default(503),
    /** Share of requests whose socket is destroyed. */
    resetRate: rate.default(0),
    /** Share of requests held until the client gives up. */
    timeoutRate: rate.default(0),
    /** The next N matching requests fail with `status`, then pass. */
    failFirst: z.number().int().min(0).max(1_000_000).default(0),
  })
  .refine((f) => f.errorRate + f.resetRate + f.timeoutRate <= 1, {
    message: 'errorRate + resetRate + timeoutRate must not exceed 1',
  });

/**
 * Most set-up cost one connection may be given (one minute): a TCP and TLS
 * handshake is two or three round trips, a few seconds even on a bad
 * satellite or 2G link.
 */
export const MAX_CONNECTION_SETUP_MS = 60_000;

export const ConnectionSchema = z.strictObject({
  /** Added once, to the first request (or WebSocket handshake) of each new client connection. */
  setupMs: z.number().int().min(0).max(MAX_CONNECTION_SETUP_MS),
});

/** Most body bytes a truncated response may pass before its connection drops (1 GB). */
export const MAX_TRUNCATE_AFTER_BYTES = 1_000_000_000;

export const TruncateSchema = z.strictObject({
  /** Share of forwarded responses whose connection drops mid-body (one draw per request). */
  rate,
  /** Response body bytes the client gets before the drop; a shorter body arrives whole. */
  afterBytes: z.number().int().min(0).max(MAX_TRUNCATE_AFTER_BYTES),
});

export const StallSchema = z.strictObject({
  /** Share of forwarded responses that stall mid-body (one draw per request). */
  rate,
  /** Response body bytes the client gets before the pause; a shorter body never stalls. */
  afterBytes: z.number().int().min(0).max(MAX_TRUNCATE_AFTER_BYTES),
  /** How long the body pauses, as a congested or handing-over mobile link does. */
  ms: z.number().int().min(1).max(MAX_LATENCY_MS),
});

/**
 * A path glob (picomatch syntax) such as `/api/**`, or a host and a path
 * such as `api.staging.example.com/**` (see route-glob.ts).
 */
export const RouteGlobSchema = plainText(z.string().min(1).max(256)).superRefine((glob, ctx) => {
  const problem = routeGlobProblem(glob);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const ProfileSchema = z.strictObject({
  latency: LatencySchema.optional(),
  bandwidth: BandwidthSchema.optional(),
  rateLimit: RateLimitSchema.optional(),
  faults: FaultsSchema.optional(),
  connection: ConnectionSchema.optional(),
  truncate: TruncateSchema.optional(),
  stall: StallSchema.optional(),
  /** Only matching paths are shaped; others pass untouched. */
  routes: z.array(RouteGlobSchema).min(1).max(64).optional(),
  /** Makes every random draw of the profile reproducible. */
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
});

/** A profile as a user writes it (defaults optional). */
export type ProfileInput = z.input<typeof ProfileSchema>;
/** A profile after decoding (defaults filled). */
export type Profile = z.output<typeof ProfileSchema>;
export type LatencySettings = z.output<typeof LatencySchema>;
export type BandwidthSettings = z.output<typeof BandwidthSchema>;
export type RateLimitSettings = z.output<typeof RateLimitSchema>;
export type FaultSettings = z.output<typeof FaultsSchema>;
export type ConnectionSettings = z.output<typeof ConnectionSchema>;
export type TruncateSettings = z.output<typeof TruncateSchema>;
export type StallSettings = z.output<typeof StallSchema>;

/** True when the profile shapes nothing. */
export function isEmptyProfile(profile: Profile): boolean {
  return !profile.latency && !profile.bandwidth && !profile.rateLimit && !profile.faults && !profile.connection && !profile.truncate && !profile.stall;
}
