import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplyResponseSchema, HealthResponseSchema } from '@downspin/protocol';
import { timedRequest } from '../http-client.js';
import { forkChild, type ForkedChild } from '../processes.js';
import type { Check } from '../report.js';
import { prepareScaleOut, redisUrl } from '../services.js';
import { percentilesMs } from '../stats.js';
import { PropagationSaysSchema, type PropagationEnv, type PropagationSays } from './propagation-messages.js';

/**
 * Command propagation: a control API and two proxies, each in its own
 * process, over the real Redis and a PostgreSQL database of the bench's own.
 * Shaping calls go through the HTTP API one at a time; each is timed from
 * sending to its answer, which comes once both proxies acknowledged.
 */

const START_TIMEOUT_MS = 30_000;
const PROXY_IDS = ['bench-proxy-1', 'bench-proxy-2'] as const;
const SESSIONS = 50;
const WARM_UP = 50;
export const PROPAGATION_TARGET_P99_MS = 50;

export interface PropagationResult {
  commands: number;
  sessions: number;
  /** Commands whose answer was `acknowledged` by both proxies. */
  acknowledgedByBoth: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Each proxy's `stats().shaping` at the end (warm-up included), and how many versions the calls made. */
  proxies: { proxyId: string; applied: number; stale: number }[];
  versionsMade: number;
}

function startPropagationChild(env: PropagationEnv): Promise<ForkedChild<PropagationSays>> {
  return forkChild(new URL('./propagation-child.js', import.meta.url), {
    name: env.BENCH_PROXY_ID ?? env.BENCH_ROLE,
    env: { ...process.env, ...env },
    parse: (raw) => PropagationSaysSchema.safeParse(raw),
    timeoutMs: START_TIMEOUT_MS,
  });
}

async function untilBothLive(controlUrl: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const res = await timedRequest(`${controlUrl}/health`);
    const parsed = HealthResponseSchema.safeParse(JSON.parse(res.body));
    if (parsed.success && PROXY_IDS.every((id) => parsed.data.dependencies.proxies.live.includes(id))) return;
    if (Date.now() > deadline) throw new Error(`the control API did not see both proxies within ${START_TIMEOUT_MS} ms: ${res.body}`);
    await sleep(50);
  }
}

/**
 * Runs the deployment and `commands` shaping calls (after a warm-up), or
 * says why it could not (`missing`): no Redis or PostgreSQL here.
 */
export async function measurePropagation(commands: number, target: string): Promise<PropagationResult | { missing: string }> {
  const prepared = await prepareScaleOut();
  if ('missing' in prepared) return prepared;
  const adminKey = randomBytes(24).toString('base64url');
  const base = {
    BENCH_REDIS_URL: redisUrl(),
    BENCH_REDIS_PREFIX: `downspin-bench-${randomBytes(4).toString('hex')}:`,
    BENCH_DATABASE_URL: prepared.databaseUrl,
    BENCH_ADMIN_KEY: adminKey,
  };
  const children: Array<ForkedChild<PropagationSays>> = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const control = await startPropagationChild({ ...base, BENCH_ROLE: 'control' });
    children.push(control);
    const proxies = await Promise.all(
      PROXY_IDS.map((id) => startPropagationChild({ ...base, BENCH_ROLE: 'proxy', BENCH_TARGET: target, BENCH_PROXY_ID: id })),
    );
    children.push(...proxies);
    await untilBothLive(control.url);

    const headers = { 'x-api-key': adminKey, 'content-type': 'application/json' };
    const call = async (i: number): Promise<{ ms: number; byBoth: boolean }> => {
      const session = `bench-propagation-${i % SESSIONS}`;
      const [path, method, body] =
        i % 2 === 0
          ? [`/admin/sessions/${session}/downspin`, 'POST', { latency_ms: 100 + (i % 400) }]
          : [`/admin/sessions/${session}/profile`, 'PUT', { profile: { latency: { ms: i % 300 }, rateLimit: { rps: 100, burst: 200 } } }];
      const res = await timedRequest(`${control.url}${path}`, { agent, method, headers, body: Buffer.from(JSON.stringify(body)) });
      if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${res.body.slice(0, 200)}`);
      const { applied } = ApplyResponseSchema.parse(JSON.parse(res.body));
      const byBoth = applied.acknowledged && PROXY_IDS.every((id) => applied.appliedBy.includes(id));
      return { ms: res.ms, byBoth };
    };
    for (let i = 0; i < WARM_UP; i++) await call(i);
    const samples: number[] = [];
    let acknowledgedByBoth = 0;
    for (let i = 0; i < commands; i++) {
      const { ms, byBoth } = await call(WARM_UP + i);
      samples.push(ms);
      if (byBoth) acknowledgedByBoth++;
    }
    const stats = [];
    for (const [i, proxy] of proxies.entries()) {
      const said = await proxy.ask({ type: 'stats' });
      if (said.type !== 'stats') throw new Error(`${PROXY_IDS[i]}: ${said.type === 'failed' ? said.message : said.type}`);
      stats.push({ proxyId: PROXY_IDS[i]!, applied: said.applied, stale: said.stale });
    }
    const { p50, p99, max } = percentilesMs(samples);
    return {
      commands,
      sessions: SESSIONS,
      acknowledgedByBoth,
      p50Ms: p50,
      p99Ms: p99,
      maxMs: max,
      proxies: stats,
      versionsMade: WARM_UP + commands,
    };
  } finally {
    agent.destroy();
    await Promise.all(children.map((c) => c.stop()));
    await prepared.drop();
  }
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function propagationReport(result: PropagationResult): { lines: string[]; checks: Check[] } {
  return {
    lines: [
      `  ${int(result.commands)} commands, one at a time, over ${result.sessions} sessions (after ${WARM_UP} warm-up): ` +
        `${int(result.acknowledgedByBoth)} acknowledged by both proxies`,
      `  ${result.proxies.map((p) => `${p.proxyId} applied ${int(p.applied)} of ${int(result.versionsMade)} versions, ${p.stale} stale`).join(' · ')}`,
      `  API → applied on 2 proxies: p50 ${result.p50Ms.toFixed(2)} ms · max ${result.maxMs.toFixed(2)} ms`,
    ],
    checks: [
      {
        label: `API → acknowledged by 2 proxies, p99 over ${int(result.commands)} commands`,
        value: `${result.p99Ms.toFixed(2)} ms`,
        target: `< ${PROPAGATION_TARGET_P99_MS} ms, all acknowledged`,
        pass: result.p99Ms < PROPAGATION_TARGET_P99_MS && result.acknowledgedByBoth === result.commands,
      },
    ],
  };
}
