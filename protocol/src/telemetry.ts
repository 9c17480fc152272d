import { z } from 'zod';
import {
  carriedBy,
  countColumn,
  enumColumn,
  eventSchema,
  msColumn,
  rowSchema,
  smallIntColumn,
  storeOnly,
  textColumn,
} from './telemetry-columns.js';

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

/** Fault and error kinds are short enums; a store keeps whatever text up to this (older or newer kinds). */
const KIND_LIMIT = 32;

/**
 * One row per proxied request: THE definition of its fields, their
 * ClickHouse columns (in insert order) and limits. Times are epoch
 * milliseconds. Adding a column: db/README.md, "Telemetry rows: adding a column".
 */
export const REQUEST_ROW_COLUMNS = [
  countColumn('ts'),
  textColumn('sessionHash', 32),
  textColumn('proxyId', 128),
  textColumn('method', 16),
  textColumn('host', 255),
  /** Path without the query string. */
  textColumn('path', 2048),
  /** Path normalised for grouping, e.g. /users/:id. */
  textColumn('route', 2048),
  /** 0 when no response was sent (reset, client gone). */
  smallIntColumn('status', 999),
  msColumn('upstreamMs'),
  msColumn('totalMs'),
  msColumn('injectedMs'),
  countColumn('bytesIn'),
  countColumn('bytesOut'),
  /** Words for the shaping applied, e.g. "latency 400±100ms uniform". Empty when none. */
  textColumn('shaping', 512),
  countColumn('shapingVersion'),
  enumColumn('fault', FAULT_KINDS, KIND_LIMIT),
  enumColumn('error', ERROR_KINDS, KIND_LIMIT),
  /** ISO 3166 alpha-2, "LO" loopback, "LAN" private network, "" unknown. */
  textColumn('country', 8),
] as const;
export const RequestRowSchema = rowSchema(REQUEST_ROW_COLUMNS);
export type RequestRow = z.output<typeof RequestRowSchema>;

/** One row per proxied WebSocket connection, written when it closes. */
export const WS_ROW_COLUMNS = [
  countColumn('ts'),
  textColumn('sessionHash', 32),
  textColumn('proxyId', 128),
  textColumn('host', 255),
  textColumn('path', 2048),
  textColumn('route', 2048),
  msColumn('durationMs'),
  countColumn('messagesIn'),
  countColumn('messagesOut'),
  countColumn('bytesIn'),
  countColumn('bytesOut'),
  smallIntColumn('closeCode', 4999),
  msColumn('injectedMs'),
  countColumn('shapingVersion'),
  enumColumn('fault', FAULT_KINDS, KIND_LIMIT),
  enumColumn('error', ERROR_KINDS, KIND_LIMIT),
  textColumn('country', 8),
] as const;
export const WsRowSchema = rowSchema(WS_ROW_COLUMNS);
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

export const CLIENT_EVENT_TYPES = ['page_view', 'click', 'navigation', 'unload', 'timing'] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

/**
 * Events the extension captures in the page, only after consent, as a store
 * keeps them (with the session hash the store adds). Each type carries the
 * columns common to all plus those naming it in `carriedBy`.
 */
export const CLIENT_EVENT_ROW_COLUMNS = [
  countColumn('ts'),
  storeOnly(textColumn('sessionHash', 32)),
  enumColumn('type', CLIENT_EVENT_TYPES, 16),
  textColumn('url', 2048),
  carriedBy(['page_view'], textColumn('title', 512)),
  carriedBy(['page_view'], textColumn('referrer', 2048)),
  carriedBy(['click'], textColumn('target', 256), 'required'),
  carriedBy(['click'], textColumn('text', 256)),
  carriedBy(['navigation'], textColumn('from', 2048, 'from_url')),
  carriedBy(['unload'], countColumn('timeOnPageMs'), 'required'),
  carriedBy(['timing'], msColumn('ttfbMs')),
  carriedBy(['timing'], msColumn('domContentLoadedMs')),
  carriedBy(['timing'], msColumn('loadMs')),
  carriedBy(['timing'], countColumn('transferBytes')),
] as const;

/** An event as the extension sends it (no session hash: the server knows whose channel it came on). */
export const ClientEventSchema = eventSchema(CLIENT_EVENT_ROW_COLUMNS, 'type', CLIENT_EVENT_TYPES);
export type ClientEvent = z.output<typeof ClientEventSchema>;

/** A client event as a store keeps and returns it: the event plus whose session sent it. */
export const ClientEventRowSchema = eventSchema(CLIENT_EVENT_ROW_COLUMNS, 'type', CLIENT_EVENT_TYPES, 'store');
export type ClientEventRow = z.output<typeof ClientEventRowSchema>;

/** Most events one batch may carry. */
export const MAX_CLIENT_EVENT_BATCH = 100;
export const ClientEventBatchSchema = z.array(ClientEventSchema).min(1).max(MAX_CLIENT_EVENT_BATCH);
