import { SESSION_HEADER } from '@downspin/protocol';
import { singleConnection, timedRequest } from '../http-client.js';
import type { BenchChild } from '../processes.js';
import { median, percentilesMs } from '../stats.js';
import { applyProfile } from './shape.js';

export interface LatencyAccuracy {
  latencyMs: number;
  samples: number;
  directMedianMs: number;
  /** The same requests through downspin in an unshaped session: the hop's own cost. */
  unshapedMedianMs: number;
  shapedMedianMs: number;
  /** p99 of the direct and the unshaped requests: the machine's own noise, which the error cannot beat. */
  directP99Ms: number;
  unshapedP99Ms: number;
  /** measured − (direct median + latencyMs), in ms: mean (signed) and |error| percentiles. */
  meanErrorMs: number;
  absErrorP50Ms: number;
  absErrorP99Ms: number;
  absErrorMaxMs: number;
  /** How long the shaping command took to be acknowledged. */
  ackMs: number;
}

/**
 * Sequential requests on one keep-alive connection each, direct and through
 * a session shaped with `latency { ms }`, interleaved so both see the same
 * machine load. The error of a shaped request is its time minus (the direct
 * median + ms). Requests through an unshaped session run alongside, to tell
 * the proxy hop's own cost from the error of the delay.
 */
export async function measureLatencyAccuracy(
  options: { upstreamUrl: string; downspin: BenchChild; latencyMs: number; samples: number; path: string },
): Promise<LatencyAccuracy> {
  const sessionId = 'bench-latency';
  const ackMs = await applyProfile(options.downspin, sessionId, { latency: { ms: options.latencyMs } });
  const agents = [singleConnection(), singleConnection(), singleConnection()] as const;
  const [directAgent, unshapedAgent, shapedAgent] = agents;
  const headers = { [SESSION_HEADER]: sessionId };
  const unshapedHeaders = { [SESSION_HEADER]: `${sessionId}-none` };
  const direct: number[] = [];
  const unshaped: number[] = [];
  const shaped: number[] = [];
  const directUrl = options.upstreamUrl + options.path;
  const proxyUrl = options.downspin.url + options.path;
  try {
    // Opens every connection (and warms every path) before anything is counted.
    await timedRequest(directUrl, { agent: directAgent });
    await timedRequest(proxyUrl, { agent: unshapedAgent, headers: unshapedHeaders });
    await timedRequest(proxyUrl, { agent: shapedAgent, headers });
    for (let i = 0; i < options.samples; i++) {
      direct.push(await expectOk(timedRequest(directUrl, { agent: directAgent })));
      unshaped.push(await expectOk(timedRequest(proxyUrl, { agent: unshapedAgent, headers: unshapedHeaders })));
      shaped.push(await expectOk(timedRequest(proxyUrl, { agent: shapedAgent, headers })));
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  const directMedianMs = median(direct);
  const errors = shaped.map((ms) => ms - (directMedianMs + options.latencyMs));
  const abs = percentilesMs(errors.map(Math.abs));
  return {
    latencyMs: options.latencyMs,
    samples: options.samples,
    directMedianMs,
    unshapedMedianMs: median(unshaped),
    shapedMedianMs: median(shaped),
    directP99Ms: percentilesMs(direct).p99,
    unshapedP99Ms: percentilesMs(unshaped).p99,
    meanErrorMs: errors.reduce((sum, e) => sum + e, 0) / errors.length,
    absErrorP50Ms: abs.p50,
    absErrorP99Ms: abs.p99,
    absErrorMaxMs: abs.max,
    ackMs,
  };
}

async function expectOk(pending: ReturnType<typeof timedRequest>): Promise<number> {
  const res = await pending;
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.body.slice(0, 200)}`);
  return res.ms;
}
