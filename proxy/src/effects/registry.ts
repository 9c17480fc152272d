import type { Profile } from '@downspin/protocol';
import type { Effect } from './effect.js';

/** The profile keys that name an effect. */
export type EffectType = 'latency' | 'bandwidth' | 'rateLimit' | 'faults';
type SettingsOf<T extends EffectType> = NonNullable<Profile[T]>;
type EffectFactory<T extends EffectType> = (settings: SettingsOf<T>) => Effect;

const factories = new Map<EffectType, EffectFactory<EffectType>>();

/** Registers the effect built for a profile key (each effect module calls this once). */
export function registerEffect<T extends EffectType>(type: T, factory: EffectFactory<T>): void {
  if (factories.has(type)) throw new Error(`effect ${type} is registered twice`);
  factories.set(type, factory as unknown as EffectFactory<EffectType>);
}

/** Builds the effects a profile asks for, in the registry's order. */
export function createEffects(profile: Profile): Effect[] {
  const effects: Effect[] = [];
  for (const [type, factory] of factories) {
    const settings = profile[type];
    if (settings !== undefined) effects.push(factory(settings));
  }
  return effects;
}

export function registeredEffectTypes(): EffectType[] {
  return [...factories.keys()];
}
