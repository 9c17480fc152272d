import { parseArgs } from 'node:util';
import { z } from 'zod';

export const USAGE = `Usage: npm run bench -- [--quick] [--rounds N] [--duration S] [--connections N] [--ws-flood S] [--sections LIST]

  --quick          a short run (1 round, shorter loads, fewer samples, smaller transfers)
  --rounds N       throughput rounds, interleaved; the median is reported (default 3)
  --duration S     seconds of load per target per throughput round, run as interleaved 1 s slices (default 5)
  --connections N  keep-alive connections of the load generator (default 16)
  --ws-flood S     seconds of the WebSocket flood under 60 s latency (default 60, quick 10)
  --sections LIST  only these sections, comma-separated (e.g. 7,8 or 1,1b); default all
  --help           this text`;

/** Every section's id, in the order the bench runs them. */
export const SECTIONS = ['1', '1b', '2', '3', '3b', '4', '5', '6', '7', '8'] as const;
export type SectionId = (typeof SECTIONS)[number];

const FlagsSchema = z.strictObject({
  quick: z.boolean().default(false),
  help: z.boolean().default(false),
  rounds: z.coerce.number().int().min(1).max(20).optional(),
  duration: z.coerce.number().int().min(1).max(120).optional(),
  connections: z.coerce.number().int().min(1).max(1024).optional(),
  'ws-flood': z.coerce.number().int().min(1).max(600).optional(),
  sections: z
    .string()
    .transform((list) => list.split(',').map((id) => id.trim()))
    .pipe(z.array(z.enum(SECTIONS, { message: `each section is one of ${SECTIONS.join(', ')}` })).min(1))
    .optional(),
});

export interface BenchOptions {
  quick: boolean;
  help: boolean;
  rounds: number;
  durationSec: number;
  singleDurationSec: number;
  connections: number;
  latencySamples: number;
  latencyMs: number;
  bandwidthKbps: number;
  transferMiB: number;
  /** Seconds of section 6's WebSocket flood. */
  wsFloodSec: number;
  /** Section 8's idle WebSockets. */
  wsIdleSockets: number;
  /** The sections to run. */
  sections: ReadonlySet<SectionId>;
}

/** Flags → options; throws a one-line message on unknown or bad flags. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      'ws-flood': { type: 'string' },
      sections: { type: 'string' },
    },
  });
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const flags = parsed.data;
  return {
    quick: flags.quick,
    help: flags.help,
    rounds: flags.rounds ?? (flags.quick ? 1 : 3),
    durationSec: flags.duration ?? (flags.quick ? 2 : 5),
    singleDurationSec: flags.quick ? 1 : 3,
    connections: flags.connections ?? 16,
    latencySamples: flags.quick ? 40 : 200,
    latencyMs: 100,
    bandwidthKbps: 8000,
    transferMiB: flags.quick ? 1 : 4,
    wsFloodSec: flags['ws-flood'] ?? (flags.quick ? 10 : 60),
    wsIdleSockets: flags.quick ? 2000 : 10_000,
    sections: new Set(flags.sections ?? SECTIONS),
  };
}
