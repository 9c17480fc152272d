import { prometheus } from '@hono/prometheus';
import type { MiddlewareHandler } from 'hono';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StatsSources } from '../stats/stats.js';
import { collectProcessMetrics } from './process-metrics.js';

export const METRIC_PREFIX = 'downspin_';

/** How a shaping command ended: every live proxy acked, some did not in time, or it was refused (bus or store down). */
export type CommandOutcome = 'acknowledged' | 'pending' | 'failed';

export interface ControlMetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
}

/**
 * The control API's Prometheus metrics, in a registry of its own (not
 * prom-client's global one), so several apps in one process (tests, an
 * embedding program) never collide.
 *
 * Counted as they happen: HTTP requests of the API by route and status
 * (@hono/prometheus), shaping commands by kind and outcome, ack waits,
 * notifications. Read at scrape time from their owners: live proxies and
 * their presence figures, telemetry rows, the bus, activity ingestion, the
 * WebSocket channels and client events.
 */
export class ControlMetrics {
  readonly registry = new Registry();
  /** Counts every API request; mount first (`app.use('*', …)`). */
  readonly http: MiddlewareHandler;
  private readonly commands: Counter<'kind' | 'outcome'>;
  private readonly ackWait: Histogram<'outcome'>;
  private readonly notifications: Counter<'type'>;

  constructor(sources: StatsSources, options: ControlMetricsOptions = {}) {
    const registers = [this.registry];
    const prefix = METRIC_PREFIX;
    if (options.processMetrics ?? true) collectProcessMetrics(this.registry, prefix);
    this.http = prometheus({ registry: this.registry, prefix }).registerMetrics;

    this.commands = new Counter({
      name: `${prefix}shaping_commands_total`,
      help: 'Shaping commands by kind (upspin, downspin, terminate, profile, timeline) and outcome (acknowledged by every live proxy, pending: some did not ack in time, failed: refused)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.ackWait = new Histogram({
      name: `${prefix}shaping_ack_wait_seconds`,
      help: 'Time from publishing a shaping command to every live proxy acknowledging it (or the ack timeout)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.notifications = new Counter({ name: `${prefix}notifications_total`, help: 'Notifications sent to session pages, by type', labelNames: ['type'], registers });

    this.fromProxies(sources, prefix, registers);
    this.fromThisInstance(sources, prefix, registers);
  }

  commandApplied(kind: string, outcome: CommandOutcome, waitSeconds: number | undefined): void {
    this.commands.inc({ kind, outcome });
    if (waitSeconds !== undefined) this.ackWait.observe({ outcome }, waitSeconds);
  }

  notificationSent(type: string): void {
    this.notifications.inc({ type });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  /** Per live proxy, from its latest presence; a proxy gone drops out of the next scrape. */
  private fromProxies({ proxies }: StatsSources, prefix: string, registers: Registry[]): void {
    new Gauge({
      name: `${prefix}proxies_live`,
      help: 'Proxies whose presence arrived within the presence TTL',
      registers,
      collect() {
        this.set(proxies.live().length);
      },
    });
    const perProxy = (name: string, help: string, read: (p: ReturnType<typeof proxies.live>[number]) => number) =>
      new Gauge({
        name: `${prefix}${name}`,
        help,
        labelNames: ['proxy'],
        registers,
        collect() {
          this.reset();
          for (const p of proxies.live()) this.set({ proxy: p.proxyId }, read(p));
        },
      });
    perProxy('proxy_sessions', 'Active sessions on a proxy', (p) => p.sessions);
    perProxy('proxy_connections', 'Open client connections on a proxy', (p) => p.connections);
    perProxy('proxy_websockets', 'Open proxied WebSockets on a proxy', (p) => p.webSockets);
    perProxy('proxy_requests_per_second', 'Requests per second a proxy handles', (p) => p.requestsPerSecond);
    perProxy('telemetry_rows_queued', 'Telemetry rows waiting in a proxy’s buffer', (p) => p.telemetry?.queued ?? 0);

    // Counters the proxies keep; relayed as they report them (a restarted proxy starts again from 0).
    new Counter({
      name: `${prefix}proxy_requests_total`,
      help: 'Requests a proxy handled since it started',
      labelNames: ['proxy'],
      registers,
      collect() {
        this.reset();
        for (const p of proxies.live()) this.inc({ proxy: p.proxyId }, p.requestsTotal);
      },
    });
    new Counter({
      name: `${prefix}telemetry_rows_total`,
      help: 'Telemetry rows of a proxy by outcome: written to the store, spilled to disk, replayed from disk, dropped',
      labelNames: ['proxy', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const p of proxies.live()) {
          if (p.telemetry === undefined) continue;
          for (const outcome of ['written', 'spilled', 'replayed', 'dropped'] as const) {
            this.inc({ proxy: p.proxyId, outcome }, p.telemetry[outcome]);
          }
        }
      },
    });
  }

  private fromThisInstance(sources: StatsSources, prefix: string, registers: Registry[]): void {
    const { bus } = sources;
    new Gauge({
      name: `${prefix}bus_up`,
      help: '1 while the command bus is connected',
      registers,
      collect() {
        this.set(bus.status().ok ? 1 : 0);
      },
    });
    new Counter({
      name: `${prefix}bus_messages_total`,
      help: 'Bus messages of this instance: published, received (valid), dropped (invalid on arrival)',
      labelNames: ['direction'],
      registers,
      collect() {
        const stats = bus.stats();
        this.reset();
        this.inc({ direction: 'published' }, stats.published);
        this.inc({ direction: 'received' }, stats.received);
        this.inc({ direction: 'dropped' }, stats.dropped);
      },
    });
    new Gauge({
      name: `${prefix}activity_pending_sessions`,
      help: 'Sessions with activity waiting to be written to the session store',
      registers,
      collect() {
        this.set(sources.activity().pendingSessions);
      },
    });
    new Counter({
      name: `${prefix}activity_dropped_total`,
      help: 'Activity reports dropped because the buffer was full while the store was down',
      registers,
      collect() {
        this.reset();
        this.inc(sources.activity().dropped);
      },
    });
    new Gauge({
      name: `${prefix}ws_clients`,
      help: 'Open WebSockets on this instance by channel (client: extensions, dashboard)',
      labelNames: ['channel'],
      registers,
      collect() {
        this.set({ channel: 'client' }, sources.client().connected);
        this.set({ channel: 'dashboard' }, sources.dashboard().connected);
      },
    });
    new Counter({
      name: `${prefix}ws_slow_consumers_total`,
      help: 'WebSockets dropped because they fell too far behind',
      labelNames: ['channel'],
      registers,
      collect() {
        this.reset();
        this.inc({ channel: 'client' }, sources.client().slowConsumers);
        this.inc({ channel: 'dashboard' }, sources.dashboard().slowConsumers);
      },
    });
    new Counter({
      name: `${prefix}ws_messages_dropped_total`,
      help: 'Incoming WebSocket messages dropped, by channel and reason',
      labelNames: ['channel', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(sources.client().dropped)) this.inc({ channel: 'client', reason }, n);
        this.inc({ channel: 'dashboard', reason: 'malformed' }, sources.dashboard().dropped);
      },
    });
    new Counter({
      name: `${prefix}client_events_total`,
      help: 'Client events from the extension: accepted (with consent) and, of those, discarded (no sink configured)',
      labelNames: ['outcome'],
      registers,
      collect() {
        const stats = sources.clientEvents();
        this.reset();
        this.inc({ outcome: 'accepted' }, stats.accepted);
        this.inc({ outcome: 'discarded' }, stats.discarded);
      },
    });
    new Counter({
      name: `${prefix}client_event_batches_rejected_total`,
      help: 'Client event batches refused: invalid, no consent, foreign origin',
      registers,
      collect() {
        this.reset();
        this.inc(sources.clientEvents().rejected);
      },
    });
  }
}
