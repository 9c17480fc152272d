import { z } from 'zod';
import { SessionViewSchema } from './commands.js';
import { DASHBOARD_ALERT_KINDS } from './dashboard-channel.js';
import { ClientEventRowSchema, FAULT_KINDS, RequestRowSchema, WsRowSchema } from './telemetry.js';

/*
 * What the analytics endpoints answer: the control API builds these shapes
 * and describes them in /openapi.json; the dashboard checks its answers with
 * them. Objects are not strict: fields an API adds later pass (and are dropped).
 */

const count = z.number().int().nonnegative();

export const AnalyticsRangeSchema = z.object({
  from: z.string().describe('Range start, ISO 8601 (inclusive)'),
  to: z.string().describe('Range end, ISO 8601 (exclusive)'),
  session: z.string().nullable().describe('The 12-hex hash filtered on, or null'),
});

const PercentilesSchema = z
  .object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() })
  .describe('Total request time in ms (interpolated between nearest ranks); null without requests');
const faultKinds = FAULT_KINDS.filter((kind) => kind !== '');

export const OverviewResponseSchema = z.object({
  range: AnalyticsRangeSchema,
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
export type OverviewResponse = z.output<typeof OverviewResponseSchema>;

export const TIMESERIES_BUCKETS = ['minute', 'hour', 'day'] as const;
export type TimeseriesBucket = (typeof TIMESERIES_BUCKETS)[number];

export const TimeseriesResponseSchema = z.object({
  range: AnalyticsRangeSchema,
  bucket: z.enum(TIMESERIES_BUCKETS),
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
export type TimeseriesResponse = z.output<typeof TimeseriesResponseSchema>;

export const EndpointsResponseSchema = z.object({
  range: AnalyticsRangeSchema,
  endpoints: z.array(
    z.object({
      method: z.string(),
      host: z.string().describe('Host header as received: the real host in forward mode, the proxy\'s own in reverse mode'),
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
export type EndpointsResponse = z.output<typeof EndpointsResponseSchema>;

export const GeoResponseSchema = z.object({
  range: AnalyticsRangeSchema,
  countries: z.array(z.object({ country: z.string().describe('ISO 3166 alpha-2, "LO" loopback, "LAN" private network, "" unknown'), sessions: count, requests: count })),
});
export type GeoResponse = z.output<typeof GeoResponseSchema>;
export type GeoCountry = GeoResponse['countries'][number];

export const SessionAnalyticsResponseSchema = z.object({
  range: AnalyticsRangeSchema,
  session: SessionViewSchema.nullable().describe('The session as the session store knows it, or null'),
  requests: z.array(RequestRowSchema),
  webSockets: z.array(WsRowSchema),
  clientEvents: z.array(ClientEventRowSchema.describe('A client event (ClientEvent of the client channel) with the session hash')),
});
export type SessionAnalyticsResponse = z.output<typeof SessionAnalyticsResponseSchema>;

/** The signals a risk score is made of (control-api `riskReasons` names each one that scored). */
export const RISK_SIGNALS = ['violations', 'request_rate', 'automation', 'no_consent'] as const;
export type RiskSignal = (typeof RISK_SIGNALS)[number];

export const AlertSchema = z.object({
  id: z.string(),
  kind: z.enum(DASHBOARD_ALERT_KINDS),
  sessionHash: z.string(),
  risk: z.number().int(),
  reasons: z.array(z.object({ signal: z.enum(RISK_SIGNALS), points: z.number().int(), detail: z.string() })),
  message: z.string(),
  at: z.string().describe('When the session was last seen'),
  browser: z.string().nullable(),
  country: z.string().nullable(),
  bannedUntil: z.string().nullable(),
});
export type Alert = z.output<typeof AlertSchema>;

export const AlertsResponseSchema = z.object({ range: AnalyticsRangeSchema.omit({ session: true }), alerts: z.array(AlertSchema) });
export type AlertsResponse = z.output<typeof AlertsResponseSchema>;
