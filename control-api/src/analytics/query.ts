import { BUCKET_MS, MAX_BUCKETS, MAX_ENDPOINTS, MAX_HISTORY, type TimeBucket } from '@downspin/db';
import { SESSION_ID_PATTERN } from '@downspin/protocol';
import { z } from 'zod';

/*
 * The query strings of the analytics endpoints. Every one takes a time range
 * (`hours=N`, or `from`/`to` in ISO 8601) and an optional `session`; unknown
 * keys are refused, so a typo is a 400 naming it rather than a silently
 * ignored filter.
 */

const HOUR_MS = 3_600_000;
/** Longest range one query may cover: the ClickHouse retention default (90 days). */
export const MAX_RANGE_HOURS = 90 * 24;
/** Range when none is given. */
export const DEFAULT_RANGE_HOURS = 24;

const isoTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .describe('ISO 8601 time with a zone (2026-11-25T10:00:00Z, …+01:00) or a UTC date (2026-11-25)');

const rangeShape = {
  hours: z.coerce.number().int().min(1).max(MAX_RANGE_HOURS).optional().describe(`The last N hours (default ${DEFAULT_RANGE_HOURS}); not with from/to`),
  from: isoTime.optional().describe('Range start (inclusive); default: `to` minus 24 h'),
  to: isoTime.optional().describe('Range end (exclusive); default: now'),
};
const sessionShape = {
  session: z
    .string()
    .regex(SESSION_ID_PATTERN, 'a session is its 12-hex hash or its id (1-128 characters of A-Z a-z 0-9 _ -)')
    .optional()
    .describe('Only this session: its 12-hex hash or its id'),
};

interface RangeFields {
  hours?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The `[from, to)` epoch-ms range a query names, at `now`. */
export function rangeOf(query: RangeFields, now = Date.now()): { from: number; to: number } {
  if (query.hours !== undefined) return { from: now - query.hours * HOUR_MS, to: now };
  const to = query.to === undefined ? now : Date.parse(query.to);
  const from = query.from === undefined ? to - DEFAULT_RANGE_HOURS * HOUR_MS : Date.parse(query.from);
  return { from, to };
}

/** The bucket a chart of this range reads best in: minutes up to 6 h, hours up to 7 days, else days. */
export function defaultBucket(range: { from: number; to: number }): TimeBucket {
  const hours = (range.to - range.from) / HOUR_MS;
  if (hours <= 6) return 'minute';
  if (hours <= 7 * 24) return 'hour';
  return 'day';
}

function checkRange(query: RangeFields, ctx: z.RefinementCtx): void {
  if (query.hours !== undefined && (query.from !== undefined || query.to !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['hours'], message: 'give either hours or from/to, not both' });
    return;
  }
  const { from, to } = rangeOf(query);
  if (from < 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be before 1970' });
  else if (from > to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  else if (to - from > MAX_RANGE_HOURS * HOUR_MS) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `the range is longer than ${MAX_RANGE_HOURS / 24} days` });
  }
}

export const AnalyticsQuerySchema = z.strictObject({ ...rangeShape, ...sessionShape }).superRefine(checkRange);

/** A range alone, for endpoints whose path names the session (the HAR export). */
export const RangeQuerySchema = z.strictObject(rangeShape).superRefine(checkRange);

export const TimeseriesQuerySchema = z
  .strictObject({
    ...rangeShape,
    ...sessionShape,
    bucket: z.enum(['minute', 'hour', 'day']).optional().describe('Default: minute up to 6 h, hour up to 7 days, else day'),
  })
  .superRefine((query, ctx) => {
    checkRange(query, ctx);
    if (query.bucket === undefined) return;
    const range = rangeOf(query);
    if ((range.to - range.from) / BUCKET_MS[query.bucket] > MAX_BUCKETS) {
      ctx.addIssue({ code: 'custom', path: ['bucket'], message: `more than ${MAX_BUCKETS} ${query.bucket}s: pick a larger bucket or a shorter range` });
    }
  });

export const EndpointsQuerySchema = z
  .strictObject({
    ...rangeShape,
    ...sessionShape,
    limit: z.coerce.number().int().min(1).max(MAX_ENDPOINTS).default(20).describe('Endpoints listed, most requested first'),
  })
  .superRefine(checkRange);

export const SessionHistoryQuerySchema = z
  .strictObject({
    ...rangeShape,
    limit: z.coerce.number().int().min(1).max(MAX_HISTORY).default(100).describe('Newest rows of each kind'),
  })
  .superRefine(checkRange);

export const AlertsQuerySchema = z
  .strictObject({
    ...rangeShape,
    limit: z.coerce.number().int().min(1).max(500).default(100).describe('Alerts listed, most recent first'),
  })
  .superRefine(checkRange);
