import type { Profile, ShapingState } from '@downspin/protocol';
import picomatch from 'picomatch';
import {
  createEffects,
  isBodyPacer,
  isMessageDelay,
  isRequestGate,
  isStatefulEffect,
  type Effect,
  type MessageDelay,
  type RequestGate,
} from '../effects/index.js';
import { randomSeed, randomStream } from './random.js';

/**
 * A profile compiled for the request path: its effects, the gates in the
 * order they run, the route matcher and the pacing rates. Built once per
 * shaping version, never per request.
 */
export class ShapingPlan {
  readonly effects: readonly Effect[];
  readonly gates: readonly RequestGate[];
  /** Index into `effects` for each gate, to find its state. */
  readonly gateEffectIndex: readonly number[];
  readonly matchesPath: ((path: string) => boolean) | undefined;
  readonly downBytesPerSecond: number | undefined;
  readonly upBytesPerSecond: number | undefined;
  readonly messageDelay: MessageDelay | undefined;
  readonly messageDelayIndex: number;
  readonly label: string;
  readonly seed: number;

  /**
   * @param prefix words put before the effects' own, e.g. "throttle: "
   * @param preset the preset the profile came from, named in the label
   */
  constructor(readonly profile: Profile, prefix = '', preset?: string) {
    this.effects = createEffects(profile);
    const gates = this.effects
      .map((effect, index) => ({ effect, index }))
      .filter((entry): entry is { effect: RequestGate; index: number } => isRequestGate(entry.effect))
      .sort((a, b) => a.effect.gateOrder - b.effect.gateOrder);
    this.gates = gates.map((g) => g.effect);
    this.gateEffectIndex = gates.map((g) => g.index);
    this.matchesPath = profile.routes ? picomatch(profile.routes, { dot: true }) : undefined;
    const pacer = this.effects.find(isBodyPacer);
    this.downBytesPerSecond = pacer?.downBytesPerSecond;
    this.upBytesPerSecond = pacer?.upBytesPerSecond;
    this.messageDelayIndex = this.effects.findIndex(isMessageDelay);
    this.messageDelay = this.messageDelayIndex >= 0 ? (this.effects[this.messageDelayIndex] as MessageDelay) : undefined;
    this.seed = profile.seed ?? randomSeed();
    const words = this.effects.length === 0 ? 'no shaping' : explainEffects(this.effects, profile.routes);
    this.label = prefix + (preset === undefined ? words : this.effects.length === 0 ? preset : `${preset} (${words})`);
  }

  /** True when the plan shapes nothing at all. */
  get isEmpty(): boolean {
    return this.effects.length === 0;
  }

  /**
   * Fresh per-session state for every effect: random streams start again
   * from the seed, so re-applying a seeded profile replays the same draws.
   */
  createStates(): unknown[] {
    return createEffectStates(this.effects, this.seed);
  }
}

/** Each stateful effect's state, its random stream drawn from the seed and the effect's name (never its position). */
export function createEffectStates(effects: readonly Effect[], seed: number): unknown[] {
  return effects.map((effect) => (isStatefulEffect(effect) ? effect.createState(randomStream(seed, effect.type)) : undefined));
}

/** A plan with the state of one session. */
export interface ActivePlan {
  readonly plan: ShapingPlan;
  readonly states: unknown[];
}

export function activate(plan: ShapingPlan): ActivePlan {
  return { plan, states: plan.createStates() };
}

function explainEffects(effects: readonly Effect[], routes: readonly string[] | undefined): string {
  const words = effects.map((effect) => effect.explain()).join(', ');
  if (!routes) return words;
  return `${words} on ${routes.join(' ')}`;
}

/** Words for a profile, from its effects' own explanations. */
export function explainProfile(profile: Profile): string {
  const effects = createEffects(profile);
  return effects.length === 0 ? 'no shaping' : explainEffects(effects, profile.routes);
}

/** Words for a session's shaping state, for the dashboard and telemetry. */
export function explainShaping(state: ShapingState): string {
  switch (state.mode) {
    case 'none':
      return 'no shaping';
    case 'upspin':
      return 'priority: no added latency, no rate limit';
    case 'downspin':
      return `throttle: latency ${state.latencyMs} ms`;
    case 'profile':
      return new ShapingPlan(state.profile, '', state.preset).label;
    case 'timeline':
      return `timeline of ${state.steps.length} step${state.steps.length === 1 ? '' : 's'} over ${
        state.steps[state.steps.length - 1]!.atMs
      } ms`;
    case 'terminated':
      return `terminated: ${state.reason}`;
  }
}
