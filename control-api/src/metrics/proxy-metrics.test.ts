import { afterEach, describe, expect, it } from 'vitest';
import { startProxyMetricsServer, type RunningProxyMetrics } from './proxy-metrics.js';

describe('startProxyMetricsServer', () => {
  let server: RunningProxyMetrics | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("serves the proxy's event-loop delay, memory and traffic in Prometheus text", async () => {
    let sessions = 3;
    server = await startProxyMetricsServer({
      port: 0,
      host: '127.0.0.1',
      stats: () => ({ sessions, parkedSessions: 12, connections: 2, webSockets: 1, requestsTotal: 41, requestsPerSecond: 7, upstreamRetries: 2 }),
    });
    const first = await fetch(`${server.url}/metrics`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await first.text();
    expect(text).toMatch(/^downspin_nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^downspin_process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^downspin_sessions 3$/m);
    expect(text).toMatch(/^downspin_sessions_parked 12$/m);
    expect(text).toMatch(/^downspin_websockets 1$/m);
    expect(text).toMatch(/^downspin_requests_total 41$/m);
    expect(text).toMatch(/^downspin_upstream_retries_total 2$/m);
    sessions = 5;
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^downspin_sessions 5$/m);
  });

  it('answers 404 on any other path, so it is not mistaken for the proxy', async () => {
    server = await startProxyMetricsServer({ port: 0, host: '127.0.0.1', stats: () => ({ sessions: 0, parkedSessions: 0, connections: 0, webSockets: 0, requestsTotal: 0, requestsPerSecond: 0, upstreamRetries: 0 }) });
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/only GET \/metrics/);
  });
});
