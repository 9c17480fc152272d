import http from 'node:http';
import { withoutDeleteLength } from '@downspin/proxy';
import { createProxyServer } from 'http-proxy-3';
import { DELAY_HEADER, FLOOR_LATENESS_PATH } from './messages.js';

/** http-proxy-3 as its README shows it, with a keep-alive agent and the same fix as downspin's. */
export function plainProxy(target: string) {
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });
  const proxy = createProxyServer({ target, agent, changeOrigin: true, xfwd: true });
  withoutDeleteLength(proxy);
  proxy.on('error', (_error, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  return proxy;
}

/**
 * The floor for section 7: the same http-proxy-3 holding each request for the
 * milliseconds its `x-bench-delay-ms` header asks (one setTimeout, nothing
 * else), so its lateness is what this host and Node's timers add alone. It
 * times its delayed requests on its own clock as downspin's telemetry does
 * (total − upstream − asked delay) and answers them at FLOOR_LATENESS_PATH.
 */
export function delayProxyServer(target: string): http.Server {
  const proxy = plainProxy(target);
  // Lateness of the delayed requests since the last read; a read every leg keeps this small.
  let lateness: number[] = [];
  const upstreamAnswered = new WeakMap<http.IncomingMessage, number>();
  proxy.on('proxyRes', (_proxyRes, req) => upstreamAnswered.set(req, performance.now()));
  return http.createServer((req, res) => {
    if (req.url === FLOOR_LATENESS_PATH) {
      res.setHeader('content-type', 'application/json').end(JSON.stringify(lateness));
      lateness = [];
      return;
    }
    const arrived = performance.now();
    const ms = Number(req.headers[DELAY_HEADER] ?? 0);
    if (!(ms > 0)) return proxy.web(req, res);
    let upstreamStarted = 0;
    // As downspin's telemetry: upstream from forwarding to the response head, total until the response closes.
    res.once('close', () => {
      const answered = upstreamAnswered.get(req);
      if (answered !== undefined) lateness.push(performance.now() - arrived - (answered - upstreamStarted) - ms);
    });
    setTimeout(() => {
      upstreamStarted = performance.now();
      proxy.web(req, res);
    }, ms);
  });
}
