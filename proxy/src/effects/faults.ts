import type { FaultSettings } from '@downspin/protocol';
import type { RandomGenerator } from '../shaping/random.js';
import { Verdict, type GateContext, type RequestGate, type StatefulEffect } from './effect.js';
import { registerEffect } from './registry.js';

interface FaultState {
  random: RandomGenerator;
  failFirstLeft: number;
}

/**
 * Faults: the next `failFirst` matching requests fail with `status`; then one
 * draw per request picks error (answer `status`), reset (destroy the socket)
 * or timeout (hold until the client gives up). Exactly one draw per request
 * keeps a seeded sequence the same however the outcomes fall. A WebSocket
 * message draws too: reset drops the connection, timeout stalls it; failFirst
 * and the error status are for requests only.
 */
export class FaultsEffect implements RequestGate<FaultState>, StatefulEffect<FaultState> {
  readonly type = 'faults';
  readonly gateOrder = 20;
  private readonly resetBelow: number;
  private readonly timeoutBelow: number;

  constructor(readonly settings: FaultSettings) {
    this.resetBelow = settings.errorRate + settings.resetRate;
    this.timeoutBelow = this.resetBelow + settings.timeoutRate;
  }

  createState(random: RandomGenerator): FaultState {
    return { random, failFirstLeft: this.settings.failFirst };
  }

  gate(context: GateContext, state: FaultState): void {
    if (context.verdict !== Verdict.Forward) return;
    if (state.failFirstLeft > 0 && !context.message) {
      state.failFirstLeft--;
      context.respond(this.settings.status, 'fail_first');
      return;
    }
    if (this.timeoutBelow === 0) return;
    const draw = state.random.next();
    if (draw < this.settings.errorRate) {
      // A WebSocket message has no status to fail with: it passes (one draw all the same).
      if (!context.message) context.respond(this.settings.status, 'error');
    } else if (draw < this.resetBelow) {
      context.verdict = Verdict.Reset;
      context.fault = 'reset';
    } else if (draw < this.timeoutBelow) {
      context.verdict = Verdict.Hold;
      context.fault = 'timeout';
    }
  }
}

registerEffect('faults', (settings) => new FaultsEffect(settings));
