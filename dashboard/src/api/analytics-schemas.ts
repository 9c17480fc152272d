import { z } from 'zod';

/*
 * What the analytics endpoints answer (control-api/src/analytics/schemas.ts),
 * only the fields the dashboard shows. Objects are not strict: a newer API may
 * add fields.
 */

const count = z.number().int().nonnegative();
const percentiles = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() });
const range = z.object({ from: z.string(), to: z.string() });

export const OverviewSchema = z.object({
  range,
  requests: count,
  errors: count,
  errorRate: z.number(),
  latencyMs: percentiles,
  bytesIn: count,
  bytesOut: count,
  sessions: count,
  rateLimited: count,
});
export type Overview = z.output<typeof OverviewSchema>;

export const BUCKETS = ['minute', 'hour', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const StatusClassesSchema = z.object({ '2xx': count, '3xx': count, '4xx': count, '5xx': count, other: count });
export type StatusClasses = z.output<typeof StatusClassesSchema>;

export const TimeseriesSchema = z.object({
  range,
  bucket: z.enum(BUCKETS),
  points: z.array(
    z.object({
      t: z.string(),
      requests: count,
      errors: count,
      latencyMs: percentiles,
      bytesIn: count,
      bytesOut: count,
      status: StatusClassesSchema,
    }),
  ),
});
export type Timeseries = z.output<typeof TimeseriesSchema>;

export const EndpointsSchema = z.object({
  range,
  endpoints: z.array(
    z.object({
      method: z.string(),
      route: z.string(),
      requests: count,
      errors: count,
      errorRate: z.number(),
      p95Ms: z.number(),
      bytesIn: count,
      bytesOut: count,
    }),
  ),
});
export type Endpoints = z.output<typeof EndpointsSchema>;

export const GeoSchema = z.object({
  range,
  countries: z.array(z.object({ country: z.string(), sessions: count, requests: count })),
});
export type Geo = z.output<typeof GeoSchema>;
export type GeoCountry = Geo['countries'][number];

export const AlertsSchema = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['high_risk', 'banned']),
      sessionHash: z.string(),
      risk: z.number(),
      message: z.string(),
      at: z.string(),
      reasons: z.array(z.object({ signal: z.string(), points: z.number(), detail: z.string() })).default([]),
      browser: z.string().nullable().optional(),
      country: z.string().nullable().optional(),
    }),
  ),
});
export type Alerts = z.output<typeof AlertsSchema>;
export type Alert = Alerts['alerts'][number];
