import type { Bus } from '@downspin/bus';
import type { AdminStats, TelemetryTotals } from '@downspin/protocol';
import type { ActivityIngestorStats } from '../activity/ingestor.js';
import type { ClientEventStats } from '../events/intake.js';
import type { ProxyRegistry } from '../proxies/registry.js';
import type { ClientChannelStats } from '../ws/client-channel.js';
import type { DashboardHubStats } from '../ws/dashboard-hub.js';

/** Everything `GET /admin/stats` (and the dashboard's stats ticks) reads. */
export interface StatsSources {
  proxies: ProxyRegistry;
  bus: Bus;
  activity: () => ActivityIngestorStats & { ingesting: boolean };
  client: () => ClientChannelStats;
  dashboard: () => DashboardHubStats;
  clientEvents: () => ClientEventStats;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The figures of this moment: the live proxies' latest presence (load and
 * telemetry tallies, each summed across proxies and also listed per proxy),
 * the bus counters, activity ingestion and the WebSocket channels of this
 * control instance. Cheap: no I/O.
 */
export function collectStats(sources: StatsSources, now = Date.now()): AdminStats {
  const live = sources.proxies.live().sort((a, b) => a.proxyId.localeCompare(b.proxyId));
  const telemetry: TelemetryTotals = { queued: 0, written: 0, spilled: 0, replayed: 0, dropped: 0 };
  let activeSessions = 0;
  let connections = 0;
  let webSockets = 0;
  let requestsPerSecond = 0;
  let requestsTotal = 0;
  for (const proxy of live) {
    activeSessions += proxy.sessions;
    connections += proxy.connections;
    webSockets += proxy.webSockets;
    requestsPerSecond += proxy.requestsPerSecond;
    requestsTotal += proxy.requestsTotal;
    if (proxy.telemetry !== undefined) {
      for (const key of Object.keys(telemetry) as (keyof TelemetryTotals)[]) telemetry[key] += proxy.telemetry[key];
    }
  }
  const busStatus = sources.bus.status();
  const activity = sources.activity();
  const client = sources.client();
  const dashboard = sources.dashboard();
  return {
    at: iso(now),
    activeSessions,
    connections,
    webSockets,
    // Rates are fractional; two decimals is all anyone reads.
    requestsPerSecond: Math.round(requestsPerSecond * 100) / 100,
    requestsTotal,
    telemetry,
    proxies: live.map((p) => ({
      proxyId: p.proxyId,
      url: p.url ?? null,
      startedAt: iso(p.startedAt),
      lastSeenAt: iso(p.lastSeenAt),
      sessions: p.sessions,
      connections: p.connections,
      webSockets: p.webSockets,
      requestsPerSecond: p.requestsPerSecond,
      requestsTotal: p.requestsTotal,
      telemetry: p.telemetry ?? null,
    })),
    bus: { kind: sources.bus.kind, ok: busStatus.ok, detail: busStatus.detail, ...sources.bus.stats() },
    activity: {
      ingesting: activity.ingesting,
      pendingSessions: activity.pendingSessions,
      flushes: activity.flushes,
      dropped: activity.dropped,
      lastError: activity.lastError ?? null,
    },
    channels: {
      client: {
        connected: client.connected,
        sessions: client.sessions,
        delivered: client.delivered,
        messagesDropped: Object.values(client.dropped).reduce((a, b) => a + b, 0),
        slowConsumers: client.slowConsumers,
      },
      dashboard: { connected: dashboard.connected, slowConsumers: dashboard.slowConsumers },
    },
    clientEvents: sources.clientEvents(),
  };
}
