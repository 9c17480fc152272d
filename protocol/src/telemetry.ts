import { z } from 'zod';

/** Why the proxy answered instead of the app, if it did. */
export const FAULT_KINDS = ['', 'error', 'reset', 'timeout', 'fail_first', 'rate_limited', 'banned', 'terminated', 'truncated'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What went wrong outside shaping, if anything. */
export const ERROR_KINDS = [
  '',
  'upstream_unreachable',
  'upstream_reset',
  'upstream_timeout',
  'client_aborted',
  'malformed_session',
  'proxy_error',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

const text = (max: number) => z.string().max(max);
const count = z.number().int().nonnegative();

/** One row per proxied request. Times are epoch milliseconds. */
export const RequestRowSchema = z.object({
  ts: count,
  sessionHash: text(32),
  proxyId: text(128),
  method: text(16),
  host: text(255),
  /** Path without the query string. */
  path: text(2048),
  /** Path normalised for grouping, e.g. /users/:id. */
  route: text(2048),
  /** 0 when no response was sent (reset, client gone). */
  status: z.number().int().min(0).max(999),
  upstreamMs: z.number().nonnegative(),
  totalMs: z.number().nonnegative(),
  injectedMs: z.number().nonnegative(),
  bytesIn: count,
  bytesOut: count,
  /** Words for the shaping applied, e.g. "latency 400±100ms uniform". Empty when none. */
  shaping: text(512),
  shapingVersion: count,
  fault: z.enum(FAULT_KINDS),
  error: z.enum(ERROR_KINDS),
  /** ISO 3166 alpha-2, "LO" loopback, "LAN" private network, "" unknown. */
  country: text(8),
});
export type RequestRow = z.output<typeof RequestRowSchema>;

/** One row per proxied WebSocket connection, written when it closes. */
export const WsRowSchema = z.object({
  ts: count,
  sessionHash: text(32),
  proxyId: text(128),
  host: text(255),
  path: text(2048),
  route: text(2048),
  durationMs: z.number().nonnegative(),
  messagesIn: count,
  messagesOut: count,
  bytesIn: count,
  bytesOut: count,
  closeCode: z.number().int().min(0).max(4999),
  injectedMs: z.number().nonnegative(),
  shapingVersion: count,
  fault: z.enum(FAULT_KINDS),
  error: z.enum(ERROR_KINDS),
  country: text(8),
});
export type WsRow = z.output<typeof WsRowSchema>;

/**
 * Fills the fields of queued rows that are computed off the request path
 * (the proxy's route and country), for rows[from, to), from the `source`
 * each row was queued with. The proxy makes it; the telemetry queue (in
 * @downspin/db, or the proxy's memory sink) calls it before a row is cut
 * into a batch, spilled or sent.
 */
export type RowPreparer = (
  kind: 'requests' | 'websockets',
  rows: ReadonlyArray<RequestRow | WsRow>,
  sources: readonly string[],
  from: number,
  to: number,
) => void;

const url = z.string().max(2048);
const at = z.number().int().nonnegative();

/** Events the extension captures in the page, only after consent. */
export const ClientEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('page_view'), ts: at, url, title: z.string().max(512).optional(), referrer: url.optional() }),
  z.strictObject({ type: z.literal('click'), ts: at, url, target: z.string().max(256), text: z.string().max(256).optional() }),
  z.strictObject({ type: z.literal('navigation'), ts: at, url, from: url.optional() }),
  z.strictObject({ type: z.literal('unload'), ts: at, url, timeOnPageMs: z.number().int().nonnegative() }),
  z.strictObject({
    type: z.literal('timing'),
    ts: at,
    url,
    ttfbMs: z.number().nonnegative().optional(),
    domContentLoadedMs: z.number().nonnegative().optional(),
    loadMs: z.number().nonnegative().optional(),
    transferBytes: z.number().int().nonnegative().optional(),
  }),
]);
export type ClientEvent = z.output<typeof ClientEventSchema>;
export const CLIENT_EVENT_TYPES = ['page_view', 'click', 'navigation', 'unload', 'timing'] as const;
/** Most events one batch may carry. */
export const MAX_CLIENT_EVENT_BATCH = 100;
export const ClientEventBatchSchema = z.array(ClientEventSchema).min(1).max(MAX_CLIENT_EVENT_BATCH);
