/**
 * One piece of a scale-out deployment for the propagation bench, alone in
 * its process and wired as `downspin control` / `downspin proxy` are: a
 * RedisBus, a PostgreSQL session store, and the control API or a proxy.
 *
 * Usage (by the propagation scenario): node propagation-child.js, with BENCH_* in the environment.
 */
import { createRedisBus } from '@downspin/bus';
import { createControlApi, startControlServer } from '@downspin/control-api';
import { createPostgresStore } from '@downspin/db';
import { startProxy } from '@downspin/proxy';
import { PropagationEnvSchema, PropagationSaysSchema, type PropagationEnv, type PropagationSays } from './propagation-messages.js';

function tell(message: PropagationSays): void {
  process.send?.(PropagationSaysSchema.parse(message));
}

async function runControl(env: PropagationEnv): Promise<string> {
  const bus = await createRedisBus({ url: env.BENCH_REDIS_URL, prefix: env.BENCH_REDIS_PREFIX });
  const store = await createPostgresStore({ url: env.BENCH_DATABASE_URL });
  const app = await createControlApi({ store, bus, adminKey: env.BENCH_ADMIN_KEY });
  const server = await startControlServer({ app, port: 0, host: '127.0.0.1' });
  return server.url;
}

async function runProxy(env: PropagationEnv): Promise<string> {
  if (env.BENCH_TARGET === undefined) throw new Error('a proxy needs BENCH_TARGET');
  const bus = await createRedisBus({ url: env.BENCH_REDIS_URL, prefix: env.BENCH_REDIS_PREFIX });
  const store = await createPostgresStore({ url: env.BENCH_DATABASE_URL });
  const proxy = await startProxy({
    target: env.BENCH_TARGET,
    port: 0,
    host: '127.0.0.1',
    proxyId: env.BENCH_PROXY_ID,
    bus,
    loadShaping: () => store.loadShaping(),
  });
  process.on('message', () => {
    const { applied, stale, reloads } = proxy.stats().shaping;
    tell({ type: 'stats', applied, stale, reloads });
  });
  return proxy.url;
}

async function main(): Promise<void> {
  // The bench is gone (even killed hard): nothing left to measure.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  const env = PropagationEnvSchema.parse(process.env);
  tell({ type: 'ready', url: env.BENCH_ROLE === 'control' ? await runControl(env) : await runProxy(env) });
}

main().catch((error: unknown) => {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
