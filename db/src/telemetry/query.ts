import { describeZodError, SESSION_HASH_PATTERN } from '@downspin/protocol';
import { z } from 'zod';
import { TelemetryQueryError } from './errors.js';
import type { AnalyticsRange, TelemetryBatch, TimeBucket } from './types.js';

/** ClickHouse DateTime ends in 2106 (UInt32 seconds); no time past it is valid. */
export const MAX_TIME_MS = 4_294_967_295_000;
export const BUCKET_MS: Record<TimeBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Most buckets one timeseries answer may hold (a week of minutes fits). */
export const MAX_BUCKETS = 20_000;
export const MAX_ENDPOINTS = 1000;
export const MAX_HISTORY = 1000;
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const epochMs = z.int().min(0).max(MAX_TIME_MS);
const sessionHash = z.string().regex(SESSION_HASH_PATTERN, 'a session hash is 12 lowercase hex characters');
const rangeShape = { from: epochMs, to: epochMs, session: sessionHash.optional() };
const ordered = (value: { from: number; to: number }) => value.from <= value.to;
const orderedMessage = { message: 'from must not be after to', path: ['to'] };

const RangeSchema = z.object(rangeShape).refine(ordered, orderedMessage);
const TimeseriesSchema = z
  .object({ ...rangeShape, bucket: z.enum(['minute', 'hour', 'day']) })
  .refine(ordered, orderedMessage)
  .refine((q) => (q.to - q.from) / BUCKET_MS[q.bucket] <= MAX_BUCKETS, {
    message: `too many buckets (at most ${MAX_BUCKETS}): pick a larger bucket or a shorter range`,
    path: ['bucket'],
  });
const EndpointsSchema = z
  .object({ ...rangeShape, limit: z.int().min(1).max(MAX_ENDPOINTS).default(20) })
  .refine(ordered, orderedMessage);
const HistorySchema = z
  .object({ ...rangeShape, session: sessionHash, limit: z.int().min(1).max(MAX_HISTORY).default(100) })
  .refine(ordered, orderedMessage);
const BatchSchema = z.object({
  kind: z.enum(['requests', 'websockets', 'client_events']),
  id: z.string().regex(BATCH_ID_PATTERN, 'a batch id is 1-64 characters of A-Z a-z 0-9 _ -'),
  rows: z.array(z.unknown()),
});

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new TelemetryQueryError(describeZodError(result.error));
  return result.data;
}

/** Every store validates its arguments with these, so both reject the same input the same way. */
export const parseRange = (input: AnalyticsRange) => parse(RangeSchema, input);
export const parseTimeseries = (input: AnalyticsRange & { bucket: TimeBucket }) => parse(TimeseriesSchema, input);
export const parseEndpoints = (input: AnalyticsRange & { limit?: number }) => parse(EndpointsSchema, input);
export const parseHistory = (input: AnalyticsRange & { session: string; limit?: number }) => parse(HistorySchema, input);
/** Checks the envelope only; rows are made safe by the row sanitizers. */
export function checkBatch(batch: TelemetryBatch): void {
  parse(BatchSchema, batch);
}

/** Timeseries count whole minutes: the range widened to minute bounds. */
export function minuteBounds(range: { from: number; to: number }): { from: number; to: number } {
  const minute = BUCKET_MS.minute;
  return { from: Math.floor(range.from / minute) * minute, to: Math.ceil(range.to / minute) * minute };
}

/** Start times of every bucket the range touches (UTC). */
export function bucketStarts(range: { from: number; to: number }, bucket: TimeBucket): number[] {
  const size = BUCKET_MS[bucket];
  const starts: number[] = [];
  for (let t = Math.floor(range.from / size) * size; t < range.to; t += size) starts.push(t);
  return starts;
}
