// Importing an effect module registers it; the order here is the order effects are listed in labels
// (random streams are derived from each effect's name, so reordering these changes no seeded draw).
import './latency.js';
import './bandwidth.js';
import './rate-limit.js';
import './faults.js';
import './connection.js';
import './truncate.js';
import './stall.js';

export * from './effect.js';
export {
  createEffects,
  effectRegistry,
  EffectRegistry,
  registerEffect,
  type EffectFactory,
  type EffectType,
} from './registry.js';
export { LatencyEffect } from './latency.js';
export { BandwidthEffect } from './bandwidth.js';
export { RateLimitEffect } from './rate-limit.js';
export { FaultsEffect } from './faults.js';
export { ConnectionEffect } from './connection.js';
export { TruncateEffect } from './truncate.js';
export { StallEffect } from './stall.js';
