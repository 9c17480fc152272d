import { explainProfile, type Profile } from '@downspin/protocol';
import {
  createEffects,
  isBodyPacer,
  isRequestGate,
  isStatefulEffect,
  type Effect,
  type RequestGate,
} from '../effects/index.js';
import { randomSeed, randomStream } from './random.js';
import { compileRoutes, type RouteMatcher } from './routes.js';

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
  /** Undefined when the profile shapes every route. */
  readonly matchesRoute: RouteMatcher | undefined;
  readonly downBytesPerSecond: number | undefined;
  readonly upBytesPerSecond: number | undefined;
  readonly seed: number;

  /**
   * @param label words for dashboards and telemetry, from protocol's
   *   `explainShaping` or `explainTimelineStep`; by default the profile's own
   */
  constructor(
    readonly profile: Profile,
    readonly label: string = explainProfile(profile),
  ) {
    this.effects = createEffects(profile);
    const gates = this.effects
      .map((effect, index) => ({ effect, index }))
      .filter((entry): entry is { effect: RequestGate; index: number } => isRequestGate(entry.effect))
      .sort((a, b) => a.effect.gateOrder - b.effect.gateOrder);
    this.gates = gates.map((g) => g.effect);
    this.gateEffectIndex = gates.map((g) => g.index);
    this.matchesRoute = profile.routes ? compileRoutes(profile.routes) : undefined;
    const pacer = this.effects.find(isBodyPacer);
    this.downBytesPerSecond = pacer?.downBytesPerSecond;
    this.upBytesPerSecond = pacer?.upBytesPerSecond;
    this.seed = profile.seed ?? randomSeed();
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
