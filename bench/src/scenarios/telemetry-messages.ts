import { z } from 'zod';

export const TELEMETRY_MODES = ['off', 'memory', 'clickhouse'] as const;
export type TelemetryMode = (typeof TELEMETRY_MODES)[number];

/** telemetry-child → bench (the bench asks with any message; the answer is `stats`). */
export const TelemetryChildSaysSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), url: z.url() }),
  z.strictObject({ type: z.literal('stats'), written: z.number().int(), dropped: z.number().int(), requests: z.number().int() }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type TelemetryChildSays = z.output<typeof TelemetryChildSaysSchema>;
