import type { Profile } from '@downspin/protocol';
import type { Effect } from './effect.js';

/** The profile keys that name an effect. */
export type EffectType = 'latency' | 'bandwidth' | 'rateLimit' | 'faults' | 'connection' | 'truncate' | 'stall';
type SettingsOf<T extends EffectType> = NonNullable<Profile[T]>;
export type EffectFactory<T extends EffectType> = (settings: SettingsOf<T>) => Effect;

/**
 * The effects a profile can ask for, by profile key. Order is only the order
 * effects are listed in (labels): gates sort themselves by `gateOrder` and
 * each effect's random stream comes from its name, never its position.
 */
export class EffectRegistry {
  private readonly factories = new Map<EffectType, EffectFactory<EffectType>>();

  register<T extends EffectType>(type: T, factory: EffectFactory<T>): void {
    if (this.factories.has(type)) throw new Error(`effect ${type} is registered twice`);
    this.factories.set(type, factory as unknown as EffectFactory<EffectType>);
  }

  /** Builds the effects a profile asks for, in the registry's order. */
  create(profile: Profile): Effect[] {
    const effects: Effect[] = [];
    for (const [type, factory] of this.factories) {
      const settings = profile[type];
      if (settings !== undefined) effects.push(factory(settings));
    }
    return effects;
  }
}

/** The registry every effect module registers itself in when imported. */
export const effectRegistry = new EffectRegistry();

/** Registers the effect built for a profile key (each effect module calls this once). */
export function registerEffect<T extends EffectType>(type: T, factory: EffectFactory<T>): void {
  effectRegistry.register(type, factory);
}

/** Builds the effects a profile asks for, from the shared registry. */
export function createEffects(profile: Profile): Effect[] {
  return effectRegistry.create(profile);
}

