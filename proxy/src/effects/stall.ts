import type { StallSettings } from '@downspin/protocol';
import type { RandomGenerator } from '../shaping/random.js';
import { Verdict, type GateContext, type RequestGate, type StatefulEffect } from './effect.js';
import { registerEffect } from './registry.js';

/**
 * A mid-body stall: at `rate`, a forwarded response pauses for `ms` after
 * `afterBytes` body bytes, then goes on, as a congested link or a mobile
 * hand-over does. Per-request latency misses it: the headers and the first
 * bytes arrive on time, so an app that shows progress must cope with a
 * body that stops. The gate only decides (one draw per forwarded request,
 * so a seeded sequence replays); the HTTP handler holds the body
 * (pacing/stalling-stream.ts). WebSocket messages do not draw: a message is
 * delivered whole, and a pause between messages is what latency does.
 */
export class StallEffect implements RequestGate<RandomGenerator>, StatefulEffect<RandomGenerator> {
  readonly type = 'stall';
  /** After faults and truncation, so only a request still being forwarded draws. */
  readonly gateOrder = 26;

  constructor(readonly settings: StallSettings) {}

  createState(random: RandomGenerator): RandomGenerator {
    return random;
  }

  gate(context: GateContext, random: RandomGenerator): void {
    if (context.message || context.verdict !== Verdict.Forward) return;
    if (random.next() < this.settings.rate) {
      context.stallAfterBytes = this.settings.afterBytes;
      context.stallMs = this.settings.ms;
    }
  }
}

registerEffect('stall', (settings) => new StallEffect(settings));
