import { z } from 'zod';

export const TELEMETRY_MODES = ['off', 'memory', 'clickhouse'] as const;
export type TelemetryMode = (typeof TELEMETRY_MODES)[number];

/**
 * telemetry-child → bench (the bench asks with any message; the answer is
 * `stats`). `window` covers the time since the previous ask (or the start):
 * the child's own CPU (process.cpuUsage(), user + system, µs), its main
 * thread's part, and the
 * requests it served meanwhile, so the bench can ask once after warm-up and
 * once after the rounds and get the measured window alone. A memory-store
 * child fills its store before it says `ready` (see telemetry-child.ts).
 */
export const TelemetryChildSaysSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ready'),
    url: z.url(),
    /** The memory store's fill before the rounds: rows, and the child's CPU for them (µs). */
    fill: z.strictObject({ rows: z.number().int(), cpuMicros: z.number().int() }).optional(),
  }),
  z.strictObject({
    type: z.literal('stats'),
    written: z.number().int(),
    dropped: z.number().int(),
    requests: z.number().int(),
    /** `mainMicros`: of `cpuMicros`, its main thread's (null where the OS does not tell). */
    window: z.strictObject({ cpuMicros: z.number().int(), mainMicros: z.number().int().nullable(), requests: z.number().int() }),
  }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type TelemetryChildSays = z.output<typeof TelemetryChildSaysSchema>;
