import type { Bus } from '@downspin/bus';
import type { SessionStore } from '@downspin/db';
import { localCountryOf } from '@downspin/proxy';
import { OpenAPIHono } from '@hono/zod-openapi';
import pino, { type Logger } from 'pino';
import { ActivityIngestor, type ActivityIngestorStats } from './activity/ingestor.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { apiKeyAuth } from './middleware/api-key/index.js';
import { ProxyRegistry } from './proxies/registry.js';
import { registerCommandRoutes } from './routes/commands.js';
import { registerHealthRoute } from './routes/health.js';
import { registerOpenApiRoute } from './routes/openapi.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { AckCollector } from './shaping/acks.js';
import { ShapingService } from './shaping/service.js';
import { validationHook } from './validation.js';

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
  /** How often proxies' activity reports are written to the store. Default 1000 ms. */
  activityFlushMs?: number;
  /** Largest request body accepted. Default 64 KiB. */
  maxBodyBytes?: number;
}

/** The Hono app with the background parts it runs (bus subscriptions, activity writes). */
export type ControlApi = OpenAPIHono & {
  readonly proxies: ProxyRegistry;
  readonly shaping: ShapingService;
  /** Writes buffered session activity now (tests; shutdown does it too). */
  flushActivity(): Promise<void>;
  activityStats(): ActivityIngestorStats;
  /** Unsubscribes from the bus and writes pending activity. Does not close the store or the bus. */
  close(): Promise<void>;
};

/**
 * Builds the control API: `/health`, `/openapi.json`, and under `/admin/*` (API key) the
 * session list and commands. Resolves once it listens on the bus (presence,
 * acks, activity). Serve it with `startControlServer`, or call
 * `app.request()` in process.
 *
 * @example
 * const app = await createControlApi({ store, bus, adminKey });
 * const res = await app.request('/admin/sessions', { headers: { 'x-api-key': adminKey } });
 */
export async function createControlApi(deps: ControlApiDeps): Promise<ControlApi> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const { store, bus } = deps;
  const proxies = new ProxyRegistry({ ttlMs: deps.presenceTtlMs });
  const acks = new AckCollector();
  const shaping = new ShapingService({ store, bus, proxies, acks, ackTimeoutMs: deps.ackTimeoutMs ?? 1000, logger });
  const activity = new ActivityIngestor({
    store,
    logger,
    countryOf: deps.countryOf ?? localCountryOf,
    flushMs: deps.activityFlushMs,
  });

  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(errorHandler(logger));
  app.notFound(notFoundHandler);
  app.use('/admin/*', apiKeyAuth({ key: deps.adminKey }));
  registerHealthRoute(app, { store, bus, proxies });
  registerSessionRoutes(app, store);
  registerCommandRoutes(app, { store, shaping, maxBodyBytes: deps.maxBodyBytes ?? 64 * 1024 });
  registerOpenApiRoute(app);

  const stopLeave = proxies.onLeave((proxyId) => acks.forget(proxyId));
  const unsubscribers = [await proxies.subscribe(bus), await acks.subscribe(bus), await activity.start(bus)];

  return Object.assign(app, {
    proxies,
    shaping,
    flushActivity: () => activity.flush(),
    activityStats: () => activity.stats(),
    async close() {
      stopLeave();
      acks.close();
      for (const unsubscribe of unsubscribers) await unsubscribe().catch(() => undefined);
      await activity.close();
    },
  });
}
