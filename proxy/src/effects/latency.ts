import { MAX_LATENCY_MS, type LatencySettings } from '@downspin/protocol';
import type { RandomGenerator } from '../shaping/random.js';
import type { GateContext, RequestGate, StatefulEffect } from './effect.js';
import { registerEffect } from './registry.js';

/** Shape of the pareto tail: α = 2 gives a mean extra delay of jitterMs. */
const PARETO_ALPHA = 2;

/**
 * Delays each request before it goes upstream, and each WebSocket message
 * (shaping/messages.ts gives a message half: latency is a round trip).
 * uniform: ms ± jitterMs; normal: jitterMs is the standard deviation;
 * pareto: ms plus a long tail, jitterMs × ((1 − u)^(−1/α) − 1). Never negative.
 */
export class LatencyEffect implements RequestGate<RandomGenerator>, StatefulEffect<RandomGenerator> {
  readonly type = 'latency';
  readonly gateOrder = 30;

  constructor(readonly settings: LatencySettings) {}

  createState(random: RandomGenerator): RandomGenerator {
    return random;
  }

  gate(context: GateContext, random: RandomGenerator): void {
    context.delayMs += this.sample(random);
  }

  sample(random: RandomGenerator): number {
    const { ms, jitterMs, distribution } = this.settings;
    if (jitterMs === 0) return ms;
    let delay: number;
    switch (distribution) {
      case 'uniform':
        delay = ms + (random.next() * 2 - 1) * jitterMs;
        break;
      case 'normal':
        delay = ms + standardNormal(random) * jitterMs;
        break;
      case 'pareto':
        delay = ms + jitterMs * (Math.pow(1 - random.next(), -1 / PARETO_ALPHA) - 1);
        break;
    }
    return delay < 0 ? 0 : delay > MAX_LATENCY_MS ? MAX_LATENCY_MS : delay;
  }
}

/** Box–Muller; uses two draws so the stream advances the same way every call. */
function standardNormal(random: RandomGenerator): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

registerEffect('latency', (settings) => new LatencyEffect(settings));
