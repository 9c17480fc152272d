import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * How often the event-loop delay is sampled. Node's histogram records the
 * whole interval between two samples, so every `…_eventloop_lag_*` figure
 * includes it (an idle process reads about 10 ms): subtract it to get the
 * delay itself.
 */
export const EVENT_LOOP_RESOLUTION_MS = 10;

/** Node's process metrics (CPU, memory, event loop, GC), the same in the control API and a lone proxy. */
export function collectProcessMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
}
