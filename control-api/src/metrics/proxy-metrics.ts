import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics.js';
import { collectProcessMetrics } from './process-metrics.js';

/** What a proxy reports about itself (`RunningProxy.stats()`, the fields scraped). */
export interface ProxySelfStats {
  sessions: number;
  parkedSessions: number;
  connections: number;
  webSockets: number;
  requestsTotal: number;
  requestsPerSecond: number;
  upstreamRetries: number;
}

export interface ProxyMetricsServerOptions {
  port: number;
  host: string;
  stats: () => ProxySelfStats;
}

export interface RunningProxyMetrics {
  url: string;
  close(): Promise<void>;
}

/**
 * `/metrics` of a proxy running alone (`downspin proxy --metrics-port`): its
 * own process figures (event-loop delay, CPU, memory, GC) and traffic. The
 * control API's `/metrics` shows what proxies report over the bus, but not
 * how their event loops fare; a stalled proxy is what shaping cannot hide.
 * A separate port, off the proxy's own: nothing here touches the request path.
 */
export async function startProxyMetricsServer(options: ProxyMetricsServerOptions): Promise<RunningProxyMetrics> {
  const registry = new Registry();
  const registers = [registry];
  collectProcessMetrics(registry, METRIC_PREFIX);
  const gauge = (name: string, help: string, read: (s: ProxySelfStats) => number) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers,
      collect() {
        this.set(read(options.stats()));
      },
    });
  gauge('sessions', 'Sessions this proxy runs (a runtime in memory)', (s) => s.sessions);
  gauge('sessions_parked', 'Shaped sessions idle long enough that only their shaping is kept', (s) => s.parkedSessions);
  gauge('connections', 'Open client connections', (s) => s.connections);
  gauge('websockets', 'Open proxied WebSockets', (s) => s.webSockets);
  gauge('requests_per_second', 'Requests per second over the last few seconds', (s) => s.requestsPerSecond);
  const counter = (name: string, help: string, read: (s: ProxySelfStats) => number) =>
    new Counter({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read(options.stats()));
      },
    });
  counter('requests_total', 'Requests handled since this proxy started', (s) => s.requestsTotal);
  counter(
    'upstream_retries_total',
    'Requests sent upstream again because the upstream closed the kept-alive connection they went out on as it was reused',
    (s) => s.upstreamRetries,
  );

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
