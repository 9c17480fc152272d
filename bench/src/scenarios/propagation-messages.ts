import { z } from 'zod';

export const PROPAGATION_ROLES = ['control', 'proxy'] as const;
export type PropagationRole = (typeof PROPAGATION_ROLES)[number];

/** What a propagation child needs, passed in its environment (the admin key stays out of `ps`). */
export const PropagationEnvSchema = z.object({
  BENCH_ROLE: z.enum(PROPAGATION_ROLES),
  BENCH_REDIS_URL: z.string().min(1),
  BENCH_REDIS_PREFIX: z.string().min(1),
  BENCH_DATABASE_URL: z.string().min(1),
  BENCH_ADMIN_KEY: z.string().min(16),
  /** proxy only: the app it fronts, and its id. */
  BENCH_TARGET: z.string().optional(),
  BENCH_PROXY_ID: z.string().optional(),
});
export type PropagationEnv = z.output<typeof PropagationEnvSchema>;

/** propagation-child → bench. The bench asks a proxy child with any message; it answers `stats`. */
export const PropagationSaysSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), url: z.url() }),
  z.strictObject({ type: z.literal('stats'), applied: z.number().int(), stale: z.number().int(), reloads: z.number().int() }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type PropagationSays = z.output<typeof PropagationSaysSchema>;
