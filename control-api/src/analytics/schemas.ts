import { CLIENT_EVENT_TYPES, ErrorBodySchema, FAULT_KINDS, RequestRowSchema, SessionViewSchema, WsRowSchema } from '@downspin/protocol';
import { z } from 'zod';
import { jsonResponse } from '../routes/schemas.js';
import { RISK_SIGNALS } from './risk-reasons.js';

/** What the analytics endpoints answer, for /openapi.json (the handlers build these shapes). */

const count = z.number().int().nonnegative();
const RangeSchema = z.object({
  from: z.string().describe('Range start, ISO 8601 (inclusive)'),
  to: z.string().describe('Range end, ISO 8601 (exclusive)'),
  session: z.string().nullable().describe('The 12-hex hash filtered on, or null'),
});
const PercentilesSchema = z
  .object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() })
  .describe('Total request time in ms (interpolated between nearest ranks); null without requests');
const faultKinds = FAULT_KINDS.filter((kind) => kind !== '');

export const OverviewResponseSchema = z.object({
  range: RangeSchema,
  requests: count,
  errors: count.describe('5xx, no response (status 0), or an error kind'),
  errorRate: z.number(),
  latencyMs: PercentilesSchema,
  bytesIn: count,
  bytesOut: count,
  sessions: count,
  rateLimited: count,
  faults: z.object(Object.fromEntries(faultKinds.map((kind) => [kind, count])) as Record<(typeof faultKinds)[number], typeof count>),
});

export const TimeseriesResponseSchema = z.object({
  range: RangeSchema,
  bucket: z.enum(['minute', 'hour', 'day']),
  points: z.array(
    z.object({
      t: z.string().describe('Bucket start (UTC), ISO 8601'),
      requests: count,
      errors: count,
      latencyMs: PercentilesSchema,
      bytesIn: count,
      bytesOut: count,
      status: z.object({ '2xx': count, '3xx': count, '4xx': count, '5xx': count, other: count.describe('No response (status 0) or 1xx') }),
    }),
  ),
});

export const EndpointsResponseSchema = z.object({
  range: RangeSchema,
  endpoints: z.array(
    z.object({
      method: z.string(),
      route: z.string().describe('Normalised path, e.g. /users/:id'),
      requests: count,
      errors: count,
      errorRate: z.number(),
      p95Ms: z.number(),
      bytesIn: count,
      bytesOut: count,
    }),
  ),
});

export const GeoResponseSchema = z.object({
  range: RangeSchema,
  countries: z.array(z.object({ country: z.string().describe('ISO 3166 alpha-2, "LO" loopback, "LAN" private network, "" unknown'), sessions: count, requests: count })),
});

export const SessionAnalyticsResponseSchema = z.object({
  range: RangeSchema,
  session: SessionViewSchema.nullable().describe('The session as the session store knows it, or null'),
  requests: z.array(RequestRowSchema),
  webSockets: z.array(WsRowSchema),
  clientEvents: z.array(
    z
      .looseObject({ type: z.enum(CLIENT_EVENT_TYPES), ts: count, url: z.string(), sessionHash: z.string() })
      .describe('A client event (ClientEvent of the client channel) with the session hash'),
  ),
});

export const AlertSchema = z.object({
  id: z.string(),
  kind: z.enum(['high_risk', 'banned']),
  sessionHash: z.string(),
  risk: z.number().int(),
  reasons: z.array(z.object({ signal: z.enum(RISK_SIGNALS), points: z.number().int(), detail: z.string() })),
  message: z.string(),
  at: z.string().describe('When the session was last seen'),
  browser: z.string().nullable(),
  country: z.string().nullable(),
  bannedUntil: z.string().nullable(),
});
export const AlertsResponseSchema = z.object({ range: RangeSchema.omit({ session: true }), alerts: z.array(AlertSchema) });

/** The error responses of an analytics read. */
export const analyticsErrors = {
  400: jsonResponse(ErrorBodySchema, '`invalid_query`: a bad or unknown query parameter, named in the message (from after to, range over 90 days, too many buckets, …)'),
  401: jsonResponse(ErrorBodySchema, 'Missing or wrong API key'),
  503: jsonResponse(ErrorBodySchema, '`telemetry_unavailable`: the telemetry store cannot be read'),
};
