import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { SESSION_HEADER } from '@downspin/protocol';
import { singleConnection, timedRequest } from '../../http-client.js';
import { DELAY_HEADER } from '../../messages.js';
import type { Deployment } from './deployments.js';

export const PROBE_PATH = '/health';

/** Session i's latency: 100 + i ms, wrapping every 1,000 so requests in flight stay near 1,000 × rate ÷ 1,000 s. */
export const latencyOf = (i: number): number => 100 + (i % 1000);

/** Sequential requests of one unshaped session until `until()` is true or `samples` are taken. */
export async function probe(proxyUrl: string, samples: number, until: () => boolean = () => false): Promise<number[]> {
  const agent = singleConnection();
  const headers = { [SESSION_HEADER]: `probe-${randomBytes(4).toString('hex')}` };
  const times: number[] = [];
  try {
    while (times.length < samples && !until()) times.push((await timedRequest(`${proxyUrl}${PROBE_PATH}`, { agent, headers })).ms);
  } finally {
    agent.destroy();
  }
  return times;
}

/** Shapes session `ids[i]` with latencyOf(i) through the control API, 16 calls at a time. */
export async function shapeAll(d: Deployment, ids: readonly string[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const headers = { 'x-api-key': d.adminKey, 'content-type': 'application/json' };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const i = next++;
      const body = Buffer.from(JSON.stringify({ latency_ms: latencyOf(i) }));
      const res = await timedRequest(`${d.controlUrl}/admin/sessions/${ids[i]}/downspin`, { agent, method: 'POST', headers, body });
      if (res.status !== 200) throw new Error(`shaping ${ids[i]}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    agent.destroy();
  }
}

export interface LoadOutcome {
  sent: number;
  answered: number;
  failed: number;
  /** Per answered request: measured − its session's latency, in ms (what the client saw beyond the asked delay). */
  beyondAsked: number[];
}

/**
 * Open-loop load: `rate` req/s spread over the sessions in turn, whatever the
 * answers take. With `askDelay`, each request also carries its session's
 * latency in DELAY_HEADER (for the delay-proxy floor, which has no sessions).
 */
export async function load(proxyUrl: string, ids: readonly string[], rate: number, durationSec: number, askDelay = false): Promise<LoadOutcome> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const url = `${proxyUrl}${PROBE_PATH}`;
  const tickMs = 10;
  const perTick = rate / (1000 / tickMs);
  const out: LoadOutcome = { sent: 0, answered: 0, failed: 0, beyondAsked: [] };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (performance.now() - started >= durationSec * 1000) {
        clearInterval(timer);
        return resolve();
      }
      // Catch up on ticks a busy bench process missed, so the rate holds.
      const owed = rate * ((performance.now() - started) / 1000) - out.sent;
      for (let n = 0; n < Math.min(owed, perTick * 10); n++) {
        const i = out.sent % ids.length;
        out.sent++;
        const headers: Record<string, string> = { [SESSION_HEADER]: ids[i]! };
        if (askDelay) headers[DELAY_HEADER] = String(latencyOf(i));
        const request: Promise<void> = timedRequest(url, { agent, headers }).then(
          (r) => {
            if (r.status !== 200) return void out.failed++;
            out.answered++;
            out.beyondAsked.push(r.ms - latencyOf(i));
          },
          () => void out.failed++,
        );
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
    }, tickMs);
  });
  await Promise.all(inFlight);
  agent.destroy();
  return out;
}
