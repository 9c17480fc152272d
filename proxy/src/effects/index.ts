// Importing an effect module registers it; the order here is the order effects are listed.
import './latency.js';
import './bandwidth.js';
import './rate-limit.js';
import './faults.js';

export * from './effect.js';
export { createEffects, registerEffect, registeredEffectTypes, type EffectType } from './registry.js';
export { LatencyEffect } from './latency.js';
export { BandwidthEffect } from './bandwidth.js';
export { RateLimitEffect } from './rate-limit.js';
export { FaultsEffect } from './faults.js';
