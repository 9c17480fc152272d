import type { Bus } from '@downspin/bus';
import type { SessionStore, TelemetryStore } from '@downspin/db';
import { localCountryOf, type AdminStats } from '@downspin/protocol';
import { OpenAPIHono } from '@hono/zod-openapi';
import pino, { type Logger } from 'pino';
import { ActivityIngestor, type ActivityIngestorStats } from './activity/ingestor.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { ClientEventIntake, type ClientEventsSink } from './events/intake.js';
import { ControlMetrics } from './metrics/metrics.js';
import { apiKeyAuth, keyChecker } from './middleware/api-key/index.js';
import { ProxyRegistry } from './proxies/registry.js';
import { registerCommandRoutes } from './routes/commands.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerEventsRoute } from './routes/events.js';
import { registerHealthRoute } from './routes/health.js';
import { registerMetricsRoute, type MetricsAccess } from './routes/metrics.js';
import { registerAnalyticsRoutes } from './routes/analytics.js';
import { registerOpenApiRoute } from './routes/openapi.js';
import { registerCaRoute } from './routes/ca.js';
import { registerHarRoute } from './routes/har.js';
import { registerScenarioRoutes } from './routes/scenarios.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerStatsRoute } from './routes/stats.js';
import { registerWsTicketRoute } from './routes/ws-ticket.js';
import { SessionExpiry } from './sessions/expiry.js';
import { ClientLimits, type ClientLimitsOptions } from './limits/client-limits.js';
import { AckCollector } from './shaping/acks.js';
import { ShapingService } from './shaping/service.js';
import { collectStats, type StatsSources } from './stats/stats.js';
import { validationHook } from './validation.js';
import { ClientChannel } from './ws/client-channel.js';
import { DashboardHub } from './ws/dashboard-hub.js';
import { TicketBook } from './ws/tickets.js';
import { createUpgradeRouter, type UpgradeHandler } from './ws/upgrade.js';

export interface ControlApiDeps {
  store: SessionStore;
  bus: Bus;
  /** Required in `X-API-Key` or `Authorization: Bearer` on every `/admin/*` route. */
  adminKey: string;
  /** Default: silent. */
  logger?: Logger;
  /** How long a shaping command waits for live proxies' acks. Default 1000 ms. */
  ackTimeoutMs?: number;
  /** A proxy is live while its last presence is younger than this. Default 3000 ms. */
  presenceTtlMs?: number;
  /** Country code of a client IP for the session list. Default: loopback "LO", private "LAN", else "". */
  countryOf?: (ip: string) => string;
  /** How often proxies' activity reports are written to the store (batched). Default 250 ms. */
  activityFlushMs?: number;
  /** Largest request body accepted. Default 64 KiB. */
  maxBodyBytes?: number;
  /**
   * Where client events (page views, clicks, timings from the extension, with consent) go, by
   * session hash. Default: none; they are counted and discarded.
   */
  clientEvents?: ClientEventsSink;
  /**
   * Where `/admin/analytics/*` read request telemetry (embedded: the memory store; scale-out:
   * ClickHouse). Without it they answer 503 `telemetry_unavailable`.
   */
  telemetry?: TelemetryStore;
  /** Origins allowed on `/ws/client` and `POST /events`. Default: any chrome-extension:// or moz-extension:// origin (and none). */
  clientOrigins?: readonly string[];
  /** The built dashboard (`dashboardDir` of `@downspin/dashboard`), served at `/`. Default: none. */
  dashboardDir?: string;
  /** Forward mode's CA certificate (PEM file), offered at `GET /admin/ca.pem`. Default: none (404). */
  caCertificateFile?: string;
  /** Origins besides the API's own allowed to open `/ws/dashboard` (e.g. a dashboard dev server). */
  dashboardOrigins?: readonly string[];
  /** Who may scrape `/metrics` without the key. Default `local-or-key`. */
  metricsAccess?: MetricsAccess;
  /** Node process metrics in `/metrics`. Default true. */
  processMetrics?: boolean;
  /**
   * Fold the proxies' activity reports into the store. Default true. With several control
   * instances on one bus, exactly one must ingest (each would add the same deltas).
   */
  ingestActivity?: boolean;
  /** WebSocket channel timings (tests shorten them). */
  channels?: ChannelTimings;
  /**
   * Sessions never shaped are deleted from the store once idle this long (no activity, no
   * consent). Default 1 hour; 0 keeps them forever. Only the instance that ingests activity sweeps.
   */
  sessionIdleTtlMs?: number;
  /** How often idle sessions are swept. Default 60 000 ms. */
  sessionSweepMs?: number;
  /** Limits on `/ws/client` and `POST /events` per source address and per session (defaults in `ClientLimitsOptions`). */
  clientLimits?: ClientLimitsOptions;
}

export interface ChannelTimings {
  /** `/ws/client`: the hello must arrive within this. Default 5000 ms. */
  helloTimeoutMs?: number;
  /** Both channels: keepalive ping period; no pong by the next one ends the socket. Default 30 000 ms. */
  pingIntervalMs?: number;
  /** `/ws/dashboard`: changed sessions pushed at most this often. Default 500 ms. */
  pushIntervalMs?: number;
  /** `/ws/dashboard`: stats ticks. Default 1000 ms. */
  statsIntervalMs?: number;
  /** `POST /admin/ws-ticket`: how long a ticket is good for. Default 30 000 ms. */
  ticketTtlMs?: number;
}

/** The Hono app with the background parts it runs (bus subscriptions, activity writes). */
export type ControlApi = OpenAPIHono & {
  readonly proxies: ProxyRegistry;
  readonly shaping: ShapingService;
  /** Connections, hellos and event batches refused to clients without a key. */
  readonly clientLimits: ClientLimits;
  /** Deletes idle sessions never shaped now (see `sessionIdleTtlMs`); undefined when expiry is off here. */
  readonly expiry: SessionExpiry | undefined;
  /** Writes buffered session activity now (tests; shutdown does it too). */
  flushActivity(): Promise<void>;
  activityStats(): ActivityIngestorStats;
  /** The figures of `GET /admin/stats`. */
  stats(): AdminStats;
  readonly metrics: ControlMetrics;
  readonly channels: { readonly client: ClientChannel; readonly dashboard: DashboardHub };
  /** Routes a node server's `upgrade` event to `/ws/client` and `/ws/dashboard` (see `attachWebSockets`). */
  handleUpgrade: UpgradeHandler;
  /** Closes every WebSocket (1001) so the HTTP server can stop; `close()` does it too. */
  closeWebSockets(): void;
  /** Unsubscribes from the bus, closes WebSockets and writes pending activity. Does not close the store or the bus. */
  close(): Promise<void>;
};

/**
 * Builds the control API: `/health`, `/openapi.json`, `/metrics`, `POST /events`, and under
 * `/admin/*` (API key) the session list and commands, stats and dashboard tickets; plus the
 * WebSocket channels `/ws/client` and `/ws/dashboard` (served through `handleUpgrade`).
 * Resolves once it listens on the bus (presence, acks, commands, client deliveries,
 * activity). Serve it with `startControlServer` (which routes WebSocket upgrades too), or
 * call `app.request()` in process.
 *
 * @example
 * const app = await createControlApi({ store, bus, adminKey });
 * const res = await app.request('/admin/sessions', { headers: { 'x-api-key': adminKey } });
 */
export async function createControlApi(deps: ControlApiDeps): Promise<ControlApi> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const { store, bus } = deps;
  const timings = deps.channels ?? {};
  const ingesting = deps.ingestActivity ?? true;
  const keyMatches = keyChecker(deps.adminKey);
  const proxies = new ProxyRegistry({ ttlMs: deps.presenceTtlMs });
  const acks = new AckCollector();
  const intake = new ClientEventIntake(deps.clientEvents, logger);
  const tickets = new TicketBook({ adminKey: deps.adminKey, ttlMs: timings.ticketTtlMs });

  // Sources are read lazily (at scrape or tick time), after everything below exists.
  const sources: StatsSources = {
    proxies,
    bus,
    activity: () => ({ ...activity.stats(), ingesting }),
    client: () => client.stats(),
    dashboard: () => dashboard.stats(),
    clientEvents: () => intake.stats(),
  };
  const stats = (): AdminStats => collectStats(sources);
  const metrics = new ControlMetrics(sources, { processMetrics: deps.processMetrics });
  const dashboard = new DashboardHub({
    store,
    logger,
    stats,
    pushIntervalMs: timings.pushIntervalMs,
    statsIntervalMs: timings.statsIntervalMs,
    pingIntervalMs: timings.pingIntervalMs,
  });
  const clientLimits = new ClientLimits(deps.clientLimits);
  const client = new ClientChannel({
    store,
    bus,
    intake,
    limits: clientLimits,
    logger,
    helloTimeoutMs: timings.helloTimeoutMs,
    pingIntervalMs: timings.pingIntervalMs,
    onConsent: (sessionId) => dashboard.markChanged([sessionId]),
  });
  const activity = new ActivityIngestor({
    store,
    logger,
    countryOf: deps.countryOf ?? localCountryOf,
    flushMs: deps.activityFlushMs,
    onWritten: (sessionIds) => dashboard.markChanged(sessionIds),
  });
  const idleTtlMs = deps.sessionIdleTtlMs ?? 3_600_000;
  const expiry =
    ingesting && idleTtlMs > 0
      ? new SessionExpiry({ store, logger, idleTtlMs, intervalMs: deps.sessionSweepMs ?? 60_000 })
      : undefined;
  const shaping = new ShapingService({
    store,
    bus,
    proxies,
    acks,
    ackTimeoutMs: deps.ackTimeoutMs ?? 1000,
    logger,
    onApplied: (kind, outcome, waitSeconds) => metrics.commandApplied(kind, outcome, waitSeconds),
    onNotified: (type) => metrics.notificationSent(type),
  });

  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler);
  app.use('*', metrics.http);
  app.use('/admin/*', apiKeyAuth({ key: deps.adminKey }));
  registerHealthRoute(app, { store, bus, proxies, telemetry: deps.telemetry, channels: () => ({ client: client.stats().connected, dashboard: dashboard.stats().connected }) });
  registerSessionRoutes(app, store);
  registerCommandRoutes(app, { store, shaping, maxBodyBytes: deps.maxBodyBytes ?? 64 * 1024 });
  registerScenarioRoutes(app, { store, maxBodyBytes: deps.maxBodyBytes ?? 64 * 1024 });
  registerStatsRoute(app, stats);
  registerWsTicketRoute(app, tickets);
  registerEventsRoute(app, { store, intake, limits: clientLimits, clientOrigins: deps.clientOrigins });
  registerMetricsRoute(app, { metrics, access: deps.metricsAccess ?? 'local-or-key', keyMatches });
  registerAnalyticsRoutes(app, { telemetry: deps.telemetry, store });
  registerHarRoute(app, { telemetry: deps.telemetry, store });
  registerCaRoute(app, { caCertificateFile: deps.caCertificateFile });
  registerOpenApiRoute(app);
  // Last: it answers only GET/HEAD paths no route above took.
  registerDashboardRoutes(app, { dashboardDir: deps.dashboardDir });

  const handleUpgrade = createUpgradeRouter({
    client,
    dashboard,
    tickets,
    keyMatches,
    clientOrigins: deps.clientOrigins,
    dashboardOrigins: deps.dashboardOrigins,
    logger,
  });

  const closeWebSockets = (): void => {
    client.close();
    dashboard.close();
  };
  const stopLeave = proxies.onLeave((proxyId) => acks.forget(proxyId));
  const unsubscribers: (() => Promise<void>)[] = [];
  try {
    unsubscribers.push(
      await proxies.subscribe(bus),
      await acks.subscribe(bus),
      // Any instance's shaping change (this one's included) changes a dashboard row.
      await bus.subscribe('commands', (command) => dashboard.markChanged([command.shaping.sessionId])),
      await client.start(),
      ingesting
        ? await activity.start(bus)
        : // Another instance writes the activity; rows are read again as its reports come in.
          await bus.subscribe('activity', (report) => dashboard.markChanged(report.sessions.map((s) => s.sessionId))),
    );
    expiry?.start();
  } catch (error) {
    stopLeave();
    closeWebSockets();
    for (const unsubscribe of unsubscribers) await unsubscribe().catch(() => undefined);
    await activity.close().catch(() => undefined);
    throw error;
  }

  return Object.assign(app, {
    proxies,
    shaping,
    metrics,
    expiry,
    clientLimits,
    channels: { client, dashboard },
    handleUpgrade,
    closeWebSockets,
    stats,
    flushActivity: () => activity.flush(),
    activityStats: () => activity.stats(),
    async close() {
      stopLeave();
      acks.close();
      closeWebSockets();
      for (const unsubscribe of unsubscribers) await unsubscribe().catch(() => undefined);
      await expiry?.close();
      await activity.close();
    },
  });
}
