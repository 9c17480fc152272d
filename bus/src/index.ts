export type { Bus, BusHandler, DependencyStatus } from './bus.js';
export { MemoryBus } from './memory-bus.js';
