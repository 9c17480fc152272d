import { z } from 'zod';
import { MAX_LATENCY_MS, ProfileSchema } from './profile.js';
import { PresetNameSchema } from './presets.js';
import { ScenarioRefSchema } from './scenario-name.js';
import { SessionIdSchema } from './session.js';
import { plainText } from './text.js';

/** Default added latency of the downspin mode. */
export const DEFAULT_DOWNSPIN_LATENCY_MS = 2000;
/** Close code sent on WebSockets of a terminated session. */
export const WS_CLOSE_TERMINATED = 4403;
/** Close code sent when the proxy cannot reach the upstream WebSocket. */
export const WS_CLOSE_UPSTREAM_FAILED = 4502;

export const MODES = ['none', 'upspin', 'downspin', 'profile', 'timeline', 'terminated'] as const;
export type Mode = (typeof MODES)[number];

export const TimelineStepSchema = z.strictObject({
  atMs: z.number().int().min(0).max(86_400_000),
  profile: ProfileSchema,
  /** The preset the profile came from, for labels. */
  preset: PresetNameSchema.optional(),
});
export type TimelineStep = z.output<typeof TimelineStepSchema>;

/**
 * What a session's shaping is. Each mode is one variant; the proxy turns it
 * into a runtime plan. Timelines carry their start time so every proxy (and a
 * restarted one) finds the same active step from the clock alone.
 */
export const ShapingStateSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('none') }),
  /** Upspin: no added latency, no rate limits, no abuse guard. */
  z.strictObject({ mode: z.literal('upspin') }),
  /** Downspin: a fixed added latency. */
  z.strictObject({ mode: z.literal('downspin'), latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS) }),
  /** `scenario`: the stored scenario this came from (telemetry labels and the dashboard name it). */
  z.strictObject({
    mode: z.literal('profile'),
    profile: ProfileSchema,
    preset: PresetNameSchema.optional(),
    scenario: ScenarioRefSchema.optional(),
  }),
  z.strictObject({
    mode: z.literal('timeline'),
    startedAt: z.number().int().nonnegative(),
    steps: z.array(TimelineStepSchema).min(1).max(1000),
    scenario: ScenarioRefSchema.optional(),
  }),
  /** Every further request gets 403 and open WebSockets close. */
  z.strictObject({ mode: z.literal('terminated'), reason: plainText(z.string().max(500)) }),
]);
export type ShapingState = z.output<typeof ShapingStateSchema>;

/** A session's shaping at one version. Versions only grow. */
export const SessionShapingSchema = z.strictObject({
  sessionId: SessionIdSchema,
  version: z.number().int().nonnegative(),
  state: ShapingStateSchema,
  updatedAt: z.number().int().nonnegative(),
});
export type SessionShaping = z.output<typeof SessionShapingSchema>;
