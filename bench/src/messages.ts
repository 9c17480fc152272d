import { ProfileSchema } from '@downspin/protocol';
import { z } from 'zod';

/** What the bench runs in its own child processes (nginx is spawned directly). */
/** The header by which the load tells `delay-proxy` how long to hold a request, in ms. */
export const DELAY_HEADER = 'x-bench-delay-ms';
/**
 * `delay-proxy` answers GET on this path with the lateness (ms) of the
 * delayed requests finished since the last read, measured on its own clock
 * as downspin's telemetry does: total − upstream − asked delay.
 */
export const FLOOR_LATENESS_PATH = '/__bench/lateness';
export const ROLES = ['upstream', 'downspin', 'http-proxy', 'delay-proxy'] as const;
export type Role = (typeof ROLES)[number];

/** parent → child over the IPC channel. */
export const ToChildSchema = z.discriminatedUnion('type', [
  /** downspin only: apply a profile to a session through the proxy's bus, answer after the ack. */
  z.strictObject({ type: z.literal('shape'), sessionId: z.string().min(1).max(128), profile: ProfileSchema }),
]);
export type ToChild = z.input<typeof ToChildSchema>;

/** child → parent. */
export const FromChildSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), url: z.url() }),
  z.strictObject({ type: z.literal('shaped'), sessionId: z.string(), version: z.number().int(), ackMs: z.number() }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type FromChild = z.output<typeof FromChildSchema>;
