import { z } from 'zod';

/** The upstream's host name: reverse mode's target and forward mode's intercepted host. */
export const BENCH_HOST = 'localhost';

export const FORWARD_ROLES = ['https-upstream', 'proxy'] as const;

/** What a forward-mode child needs, passed in its environment. */
export const ForwardEnvSchema = z.object({
  BENCH_ROLE: z.enum(FORWARD_ROLES),
  /** https-upstream and proxy: a directory of its own (the upstream's CA; the proxy's data dir). */
  BENCH_DIR: z.string().min(1),
  /** proxy only: the https upstream (its reverse-mode target) and the PEM of the upstream's own CA. */
  BENCH_TARGET: z.string().optional(),
  BENCH_UPSTREAM_CA: z.string().optional(),
});
export type ForwardEnv = z.output<typeof ForwardEnvSchema>;

/** forward-child → bench: ready with its URL and the PEM of the CA its certificates chain to. */
export const ForwardSaysSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), url: z.url(), caPem: z.string().min(1) }),
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
]);
export type ForwardSays = z.output<typeof ForwardSaysSchema>;
