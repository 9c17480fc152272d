import type { TruncateSettings } from '@downspin/protocol';
import type { RandomGenerator } from '../shaping/random.js';
import { Verdict, type GateContext, type RequestGate, type StatefulEffect } from './effect.js';
import { registerEffect } from './registry.js';

/**
 * A truncated body: at `rate`, a forwarded response's connection drops
 * after `afterBytes` body bytes, as when a mobile link dies mid-download.
 * The gate only decides (one draw per forwarded request, so a seeded
 * sequence replays); the HTTP handler cuts the body (pacing/truncating-stream.ts).
 * WebSocket messages and refused requests do not draw.
 */
export class TruncateEffect implements RequestGate<RandomGenerator>, StatefulEffect<RandomGenerator> {
  readonly type = 'truncate';
  /** After faults, so only a request still being forwarded draws. */
  readonly gateOrder = 25;

  constructor(readonly settings: TruncateSettings) {}

  createState(random: RandomGenerator): RandomGenerator {
    return random;
  }

  gate(context: GateContext, random: RandomGenerator): void {
    if (context.message || context.verdict !== Verdict.Forward) return;
    if (random.next() < this.settings.rate) context.truncateAfterBytes = this.settings.afterBytes;
  }
}

registerEffect('truncate', (settings) => new TruncateEffect(settings));
