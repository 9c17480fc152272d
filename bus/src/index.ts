export type { Bus, BusHandler, BusStats, DependencyStatus } from './bus.js';
export { BusUnavailableError, InvalidBusMessageError } from './errors.js';
export { MemoryBus, MemoryBusHub, type MemoryBusOptions } from './memory-bus.js';
export { RedisBus } from './redis-bus.js';
export { createRedisBus, redactUrl, type RedisBusOptions } from './create-redis-bus.js';
