import { z } from 'zod';
import { TelemetryTallySchema } from './bus-messages.js';
import { SessionViewSchema } from './commands.js';

/**
 * `WS /ws/dashboard`: live updates for the dashboard, and the body of
 * `GET /admin/stats` (the same figures arrive as `stats` messages).
 *
 * Connecting: browsers cannot set headers on a WebSocket, so the dashboard
 * first asks `POST /admin/ws-ticket` (API key) for a short-lived single-use
 * ticket and opens `/ws/dashboard?ticket=<ticket>`; other clients may send
 * `X-API-Key` on the upgrade instead. Only the control API's own origin (or
 * no Origin header) may connect.
 *
 * After connecting the server sends one `snapshot`, then `sessions` (changed
 * sessions, batched, at most one message per half second), `stats` (every
 * second or two) and `alert` (a session crossed the high-risk threshold or
 * was banned). Server messages are plain objects: a newer server may add
 * fields, so a dashboard ignores what it does not know.
 */

const count = z.number().int().nonnegative();
const iso = z.string();

/**
 * Telemetry rows of the live proxies, summed: waiting, written to the store,
 * spilled to disk, replayed, dropped. The fields of each proxy's tally, as a
 * plain object (a newer server may add fields; bus messages stay strict).
 */
export const TelemetryTotalsSchema = z.object(TelemetryTallySchema.shape);
export type TelemetryTotals = z.output<typeof TelemetryTotalsSchema>;

/** One live proxy, from its latest `presence`. */
export const ProxyStatsSchema = z.object({
  proxyId: z.string(),
  /** Where the proxy is reachable, when it says. */
  url: z.string().nullable(),
  startedAt: iso,
  /** When this control instance last heard from it. */
  lastSeenAt: iso,
  sessions: count,
  connections: count,
  webSockets: count,
  requestsPerSecond: z.number().nonnegative(),
  requestsTotal: count,
  telemetry: TelemetryTotalsSchema.nullable(),
});
export type ProxyStats = z.output<typeof ProxyStatsSchema>;

/** `GET /admin/stats`, and the `stats` message of the dashboard channel. */
export const AdminStatsSchema = z.object({
  at: iso,
  /** Sessions active on the live proxies (a session on two proxies counts twice). */
  activeSessions: count,
  connections: count,
  webSockets: count,
  requestsPerSecond: z.number().nonnegative(),
  requestsTotal: count,
  telemetry: TelemetryTotalsSchema,
  proxies: z.array(ProxyStatsSchema),
  bus: z.object({
    kind: z.string(),
    ok: z.boolean(),
    detail: z.string(),
    published: count,
    received: count,
    dropped: count,
    handlerErrors: count,
  }),
  /** Session activity from the proxies, folded into the session store by this instance. */
  activity: z.object({
    ingesting: z.boolean(),
    pendingSessions: count,
    flushes: count,
    dropped: count,
    lastError: z.string().nullable(),
  }),
  /** The WebSocket channels of this control instance. */
  channels: z.object({
    client: z.object({
      connected: count,
      sessions: count,
      delivered: count,
      messagesDropped: count,
      slowConsumers: count,
    }),
    dashboard: z.object({
      connected: count,
      slowConsumers: count,
    }),
  }),
  /** Client events from the extension (WS /ws/client or POST /events). */
  clientEvents: z.object({
    accepted: count,
    /** Accepted but not kept: no telemetry sink is configured. */
    discarded: count,
    rejected: count,
    sinkErrors: count,
  }),
});
export type AdminStats = z.output<typeof AdminStatsSchema>;

export const DASHBOARD_ALERT_KINDS = ['high_risk', 'banned'] as const;
export type DashboardAlertKind = (typeof DASHBOARD_ALERT_KINDS)[number];

/** A bot alert: a session crossed the high-risk threshold, or the abuse guard banned it. */
export const DashboardAlertSchema = z.object({
  id: z.string(),
  kind: z.enum(DASHBOARD_ALERT_KINDS),
  sessionHash: z.string(),
  risk: z.number().int(),
  message: z.string(),
  at: iso,
});
export type DashboardAlert = z.output<typeof DashboardAlertSchema>;

export const ServerToDashboardSchema = z.discriminatedUnion('type', [
  /** First message: the most recently seen sessions and the current figures. */
  z.object({
    type: z.literal('snapshot'),
    at: iso,
    sessions: z.array(SessionViewSchema),
    stats: AdminStatsSchema,
    /** Set when the session store could not be read: `sessions` is empty, retry with `resync`. */
    error: z.string().optional(),
  }),
  /** Sessions that changed (shaping, activity, consent, risk), each in full: replace by hash. */
  z.object({ type: z.literal('sessions'), at: iso, sessions: z.array(SessionViewSchema) }),
  z.object({ type: z.literal('stats'), stats: AdminStatsSchema }),
  z.object({ type: z.literal('alert'), alert: DashboardAlertSchema }),
]);
export type ServerToDashboard = z.output<typeof ServerToDashboardSchema>;
export type ServerToDashboardType = ServerToDashboard['type'];

export const DashboardToServerSchema = z.discriminatedUnion('type', [
  /** Asks for a fresh `snapshot` (e.g. when the tab becomes visible again). */
  z.strictObject({ type: z.literal('resync') }),
]);
export type DashboardToServer = z.output<typeof DashboardToServerSchema>;

/** Largest dashboard message the server accepts, in bytes. */
export const DASHBOARD_CHANNEL_MAX_PAYLOAD = 4 * 1024;
/** Query parameter carrying a ticket from `POST /admin/ws-ticket`. */
export const DASHBOARD_TICKET_PARAM = 'ticket';

/** `POST /admin/ws-ticket`. */
export const WsTicketResponseSchema = z.object({
  ticket: z.string(),
  expiresAt: iso,
  /** Path to open with the ticket, e.g. `/ws/dashboard?ticket=…`. */
  path: z.string(),
});
export type WsTicketResponse = z.output<typeof WsTicketResponseSchema>;
