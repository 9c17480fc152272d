import { z } from 'zod';
import { MAX_LATENCY_MS, ProfileSchema } from './profile.js';
import { plainText } from './text.js';
import { PresetNameSchema } from './presets.js';
import { ScenarioRefSchema } from './scenario-name.js';
import { DEFAULT_DOWNSPIN_LATENCY_MS, MODES } from './shaping.js';

/** Bodies of the control API's session commands. Unknown keys are rejected. */

export const UpspinBodySchema = z.strictObject({});

export const DownspinBodySchema = z.strictObject({
  latency_ms: z.number().int().min(0).max(MAX_LATENCY_MS).default(DEFAULT_DOWNSPIN_LATENCY_MS),
});

export const TerminateBodySchema = z.strictObject({
  reason: plainText(z.string().trim().min(1).max(500)).default('Session ended by an operator'),
});

export const NOTIFY_TYPES = ['info', 'success', 'warning', 'error'] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];
export const NotifyBodySchema = z.strictObject({
  message: plainText(z.string().trim().min(1).max(500)),
  type: z.enum(NOTIFY_TYPES).default('info'),
});

export const ProfileBodySchema = z.union(
  [z.strictObject({ profile: ProfileSchema }), z.strictObject({ preset: PresetNameSchema })],
  { error: 'body must be { "profile": {...} } or { "preset": "<name>" }' },
);

export const TimelineStepInputSchema = z.union(
  [
    z.strictObject({ atMs: z.number().int().min(0).max(86_400_000), profile: ProfileSchema }),
    z.strictObject({ atMs: z.number().int().min(0).max(86_400_000), preset: PresetNameSchema }),
  ],
  { error: 'each step is { "atMs": n, "profile": {...} } or { "atMs": n, "preset": "<name>" }' },
);

export const TimelineBodySchema = z.strictObject({
  steps: z
    .array(TimelineStepInputSchema)
    .min(1)
    .max(1000)
    .refine((steps) => steps.every((s, i) => i === 0 || s.atMs >= steps[i - 1]!.atMs), {
      message: 'steps must be in order of atMs',
    }),
});

export type DownspinBody = z.output<typeof DownspinBodySchema>;
export type TerminateBody = z.output<typeof TerminateBodySchema>;
export type NotifyBody = z.output<typeof NotifyBodySchema>;
export type ProfileBody = z.output<typeof ProfileBodySchema>;
export type TimelineBody = z.output<typeof TimelineBodySchema>;
export type TimelineStepInput = z.input<typeof TimelineStepInputSchema>;

export const SessionsFilterSchema = z.enum(['all', 'high_risk', 'throttled']).default('all');
export type SessionsFilter = z.output<typeof SessionsFilterSchema>;

/** Sessions with at least this risk score (0–100) are high risk: the `high_risk` filter, the bot alerts, the dashboard's red badge. */
export const HIGH_RISK_THRESHOLD = 70;

/** How a shaping change was applied across proxies. */
export const ApplyResultSchema = z.object({
  version: z.number().int(),
  /** True once every live proxy acknowledged the version. */
  acknowledged: z.boolean(),
  appliedBy: z.array(z.string()),
  pending: z.array(z.string()),
});
export type ApplyResult = z.output<typeof ApplyResultSchema>;

/** A session as the control API shows it: by hash, never by id. */
export const SessionViewSchema = z.object({
  hash: z.string(),
  mode: z.enum(MODES),
  /** Words for the current shaping, e.g. "latency 2000 ms". */
  shaping: z.string(),
  /** The scenario (name and version) the current shaping was applied from, if any. */
  scenario: ScenarioRefSchema.optional(),
  /** Whether that shaping slows or breaks its traffic (downspin, a profile with effects, a timeline): what the `throttled` filter lists. */
  throttled: z.boolean(),
  version: z.number().int(),
  userAgent: z.string().nullable(),
  browser: z.string().nullable(),
  country: z.string().nullable(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  requests: z.number().int(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  violations: z.number().int(),
  risk: z.number().int(),
  consent: z.boolean(),
  bannedUntil: z.string().nullable(),
});
export type SessionView = z.output<typeof SessionViewSchema>;
