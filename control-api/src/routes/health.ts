import type { Bus } from '@downspin/bus';
import type { SessionStore, TelemetryStore } from '@downspin/db';
import { HealthResponseSchema } from '@downspin/protocol';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ProxyRegistry } from '../proxies/registry.js';
import { jsonResponse } from './schemas.js';

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Overall and per-dependency status (no auth)',
  responses: {
    200: jsonResponse(HealthResponseSchema, 'Everything works'),
    503: jsonResponse(HealthResponseSchema, 'Degraded: a dependency is down, or no proxy is live'),
  },
});

/**
 * `GET /health`: the session store (a query within 2 s), the bus, the
 * telemetry store when there is one, and the live proxies (presence in the last few seconds; none live is degraded,
 * since nothing would apply shaping). 200 when all are ok, else 503. Also
 * shows the open WebSockets per channel (informational).
 */
export interface HealthDeps {
  store: SessionStore;
  bus: Bus;
  proxies: ProxyRegistry;
  /** The analytics store: a dead one degrades analytics, so it degrades health. */
  telemetry?: TelemetryStore;
  /** Open WebSockets per channel: shown, never a reason to be degraded. */
  channels?: () => { client: number; dashboard: number };
}

export function registerHealthRoute(app: OpenAPIHono, deps: HealthDeps): void {
  app.openapi(healthRoute, async (c) => {
    const store = await deps.store.health();
    const bus = deps.bus.status();
    const live = deps.proxies.liveIds().sort();
    const proxies = {
      ok: live.length > 0,
      detail: live.length === 0 ? 'no live proxy' : `${live.length} live`,
      live,
    };
    const telemetry = deps.telemetry === undefined ? undefined : { kind: deps.telemetry.kind, ...(await deps.telemetry.health()) };
    const ok = store.ok && bus.ok && proxies.ok && (telemetry?.ok ?? true);
    const body = {
      status: ok ? ('ok' as const) : ('degraded' as const),
      dependencies: {
        store: { kind: deps.store.kind, ok: store.ok, detail: store.detail },
        bus: { kind: deps.bus.kind, ok: bus.ok, detail: bus.detail },
        proxies,
        ...(telemetry === undefined ? {} : { telemetry: { kind: telemetry.kind, ok: telemetry.ok, detail: telemetry.detail } }),
      },
      ...(deps.channels === undefined ? {} : { channels: deps.channels() }),
    };
    c.header('cache-control', 'no-store');
    return ok ? c.json(body, 200) : c.json(body, 503);
  });
}
