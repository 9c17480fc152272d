import type { SessionStore, TelemetryStore } from '@downspin/db';
import {
  EndpointsResponseSchema,
  GeoResponseSchema,
  OverviewResponseSchema,
  SessionAnalyticsResponseSchema,
  TimeseriesResponseSchema,
} from '@downspin/protocol';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  AnalyticsQuerySchema,
  defaultBucket,
  EndpointsQuerySchema,
  rangeOf,
  SessionHistoryQuerySchema,
  TimeseriesQuerySchema,
} from '../analytics/query.js';
import { analyticsErrors } from '../analytics/schemas.js';
import { telemetryHashOf } from '../analytics/session-filter.js';
import { fromTelemetry } from '../analytics/telemetry-errors.js';
import { ApiError } from '../errors.js';
import { toSessionView } from '../sessions/view.js';
import { fromStore } from '../store-errors.js';
import { registerAlertsRoute } from './analytics-alerts.js';
import { registerAnalyticsExportRoutes } from './analytics-export.js';
import { adminSecurity, jsonResponse, SessionParamsSchema } from './schemas.js';

export interface AnalyticsDeps {
  /** Where telemetry is read. Without one every analytics endpoint answers 503 `telemetry_unavailable`. */
  telemetry: TelemetryStore | undefined;
  store: SessionStore;
}

const tags = ['analytics'];
const rangeNote = 'Range: `hours=N` (default 24) or `from`/`to` (ISO 8601), at most 90 days.';

const overviewRoute = createRoute({
  method: 'get',
  path: '/admin/analytics',
  tags,
  summary: 'Overview: requests, errors, latency percentiles, bytes, sessions, rate-limited, faults',
  description: `${rangeNote} \`session\` (hash or id) narrows to one session.`,
  security: adminSecurity,
  request: { query: AnalyticsQuerySchema },
  responses: { 200: jsonResponse(OverviewResponseSchema, 'The overview'), ...analyticsErrors },
});

const timeseriesRoute = createRoute({
  method: 'get',
  path: '/admin/analytics/timeseries',
  tags,
  summary: 'Per bucket: requests, errors, latency p50/p95/p99, bytes in/out, status classes (every bucket, empty ones included)',
  description: `${rangeNote} Rows count by whole minutes (the ClickHouse minute rollup): a range starting or ending inside a minute covers all of it.`,
  security: adminSecurity,
  request: { query: TimeseriesQuerySchema },
  responses: { 200: jsonResponse(TimeseriesResponseSchema, 'The buckets, oldest first'), ...analyticsErrors },
});

const endpointsRoute = createRoute({
  method: 'get',
  path: '/admin/analytics/endpoints',
  tags,
  summary: 'Top endpoints (method, host and normalised route, e.g. api.example.com /users/:id) by requests, with errors, p95 and bytes',
  description: rangeNote,
  security: adminSecurity,
  request: { query: EndpointsQuerySchema },
  responses: { 200: jsonResponse(EndpointsResponseSchema, 'Most requested first'), ...analyticsErrors },
});

const geoRoute = createRoute({
  method: 'get',
  path: '/admin/analytics/geo',
  tags,
  summary: 'Requests and sessions per country (GeoIP; "LO" loopback, "LAN" private, "" unknown)',
  description: rangeNote,
  security: adminSecurity,
  request: { query: AnalyticsQuerySchema },
  responses: { 200: jsonResponse(GeoResponseSchema, 'Most requests first'), ...analyticsErrors },
});

const sessionRoute = createRoute({
  method: 'get',
  path: '/admin/analytics/sessions/{id}',
  tags,
  summary: "One session's recent requests, WebSocket connections and client events (newest first), by hash or id",
  description: `${rangeNote} A 12-hex value the session store does not know is taken as a hash.`,
  security: adminSecurity,
  request: { params: SessionParamsSchema, query: SessionHistoryQuerySchema },
  responses: { 200: jsonResponse(SessionAnalyticsResponseSchema, 'The session'), ...analyticsErrors },
});

const iso = (ms: number): string => new Date(ms).toISOString();

function requireTelemetry(telemetry: TelemetryStore | undefined): TelemetryStore {
  if (telemetry === undefined) throw new ApiError('telemetry_unavailable', { message: 'No telemetry store is configured.' });
  return telemetry;
}

/** Range and session filter of a query, resolved: epoch ms and a telemetry hash. */
async function filterOf(store: SessionStore, query: { hours?: number; from?: string; to?: string; session?: string }) {
  const range = rangeOf(query);
  const session = query.session === undefined ? undefined : await telemetryHashOf(store, query.session, 'invalid_query');
  return { ...range, session, shown: { from: iso(range.from), to: iso(range.to), session: session ?? null } };
}

function noStore(c: Context): void {
  c.header('cache-control', 'no-store');
}

/**
 * `GET /admin/analytics`, `/timeseries`, `/endpoints`, `/geo`,
 * `/sessions/:id`, `/export.csv`, `/export.json` over the telemetry store,
 * and `GET /admin/alerts` over the session store (all with the API key). Query strings are
 * validated (400 `invalid_query` naming the field); the store's own
 * rejections are `invalid_query` too, and a store that fails is 503
 * `telemetry_unavailable`.
 */
export function registerAnalyticsRoutes(app: OpenAPIHono, { telemetry, store }: AnalyticsDeps): void {
  app.openapi(overviewRoute, async (c) => {
    const t = requireTelemetry(telemetry);
    const q = await filterOf(store, c.req.valid('query'));
    const overview = await fromTelemetry(() => t.overview(q));
    noStore(c);
    return c.json({ range: q.shown, ...overview }, 200);
  });

  app.openapi(timeseriesRoute, async (c) => {
    const t = requireTelemetry(telemetry);
    const query = c.req.valid('query');
    const q = await filterOf(store, query);
    const bucket = query.bucket ?? defaultBucket(q);
    const points = await fromTelemetry(() => t.timeseries({ ...q, bucket }));
    noStore(c);
    return c.json({ range: q.shown, bucket, points: points.map((p) => ({ ...p, t: iso(p.t) })) }, 200);
  });

  app.openapi(endpointsRoute, async (c) => {
    const t = requireTelemetry(telemetry);
    const query = c.req.valid('query');
    const q = await filterOf(store, query);
    const endpoints = await fromTelemetry(() => t.topEndpoints({ ...q, limit: query.limit }));
    noStore(c);
    return c.json({ range: q.shown, endpoints }, 200);
  });

  app.openapi(geoRoute, async (c) => {
    const t = requireTelemetry(telemetry);
    const q = await filterOf(store, c.req.valid('query'));
    const countries = await fromTelemetry(() => t.geo(q));
    noStore(c);
    return c.json({ range: q.shown, countries }, 200);
  });

  app.openapi(sessionRoute, async (c) => {
    const t = requireTelemetry(telemetry);
    const query = c.req.valid('query');
    const raw = c.req.valid('param').id;
    const session = await telemetryHashOf(store, raw, 'malformed_session_id');
    const range = rangeOf(query);
    const [history, record] = await Promise.all([
      fromTelemetry(() => t.sessionHistory({ ...range, session, limit: query.limit })),
      fromStore(() => store.findSession(raw)),
    ]);
    noStore(c);
    return c.json(
      {
        range: { from: iso(range.from), to: iso(range.to), session },
        session: record === undefined ? null : toSessionView(record),
        ...history,
      },
      200,
    );
  });

  registerAnalyticsExportRoutes(app, { telemetry, store });
  registerAlertsRoute(app, store);
}
