/**
 * One process of the forward-mode bench: an https upstream with a CA of its
 * own, or downspin fronting it both ways at once (reverse mode with it as
 * --target, forward mode intercepting its host), so both figures come from
 * the same proxy process and the same upstream.
 *
 * Usage (by the forward scenario): node forward-child.js, with BENCH_* in the environment.
 */
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { MemoryBus } from '@downspin/bus';
import { LocalCa, startProxy } from '@downspin/proxy';
import { BENCH_HOST, ForwardEnvSchema, ForwardSaysSchema, type ForwardEnv, type ForwardSays } from './forward-messages.js';

function tell(message: ForwardSays): void {
  process.send?.(ForwardSaysSchema.parse(message));
}

async function runUpstream(env: ForwardEnv): Promise<ForwardSays> {
  const ca = await LocalCa.open(env.BENCH_DIR);
  const body = JSON.stringify({ ok: true });
  const server = https.createServer(
    { SNICallback: (name, callback) => void ca.contextFor(name).then((context) => callback(null, context), callback) },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
  );
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { type: 'ready', url: `https://${BENCH_HOST}:${(server.address() as AddressInfo).port}`, caPem: ca.info.pem };
}

async function runProxy(env: ForwardEnv): Promise<ForwardSays> {
  if (env.BENCH_TARGET === undefined || env.BENCH_UPSTREAM_CA === undefined) throw new Error('a proxy needs BENCH_TARGET and BENCH_UPSTREAM_CA');
  const proxy = await startProxy({
    target: env.BENCH_TARGET,
    port: 0,
    bus: new MemoryBus(),
    loadShaping: async () => [],
    upstreamCa: [env.BENCH_UPSTREAM_CA],
    forward: { intercept: [BENCH_HOST], dataDir: env.BENCH_DIR },
  });
  return { type: 'ready', url: proxy.url, caPem: proxy.ca!.pem };
}

async function main(): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  const env = ForwardEnvSchema.parse(process.env);
  tell(env.BENCH_ROLE === 'https-upstream' ? await runUpstream(env) : await runProxy(env));
}

main().catch((error: unknown) => {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
