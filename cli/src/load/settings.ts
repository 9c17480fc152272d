import { SessionIdSchema, newSessionId } from '@downspin/protocol';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import type { PhaseSpec } from './plan.js';

/**
 * Settings of `downspin load`: flags, then environment, then defaults, each
 * validated by zod. Like the other commands' settings (config.ts), every
 * setting knows its flag and variable so an error names what the user typed.
 */

export const DEFAULT_LOAD_URL = 'http://127.0.0.1:8080/api/items';

const rps = z.coerce
  .number({ error: 'expected a number of requests per second' })
  .min(0, 'expected 0 or more requests per second')
  .max(10_000, 'expected at most 10000 requests per second');

// Whole seconds keep every phase aligned with the one-line-per-second report.
const seconds = z.coerce
  .number({ error: 'expected a number of seconds' })
  .int('expected whole seconds')
  .min(0, 'expected 0 or more seconds')
  .max(3600, 'expected at most 3600 seconds');

const wholeBetween = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a number' })
    .int('expected a whole number')
    .min(min, `expected a number from ${min} to ${max}`)
    .max(max, `expected a number from ${min} to ${max}`);

const httpUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value), 'expected a URL, e.g. http://127.0.0.1:8080/api/items')
  .refine((value) => !URL.canParse(value) || ['http:', 'https:'].includes(new URL(value).protocol), 'expected a http or https URL');

const onOff = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])], {
    error: 'expected on/off, true/false, yes/no or 1/0',
  })
  .transform((value) => value === true || value === '1' || value === 'true' || value === 'yes' || value === 'on');

interface LoadSetting {
  /** The flag users type; undefined: environment only. */
  flag: string;
  /** Placeholder of the flag's value in help; undefined: a switch. */
  arg?: string;
  /** undefined: flag only (on purpose, e.g. --allow-remote). */
  env?: string;
  schema: z.ZodType;
  help: string;
}

/** Every setting of `downspin load`, with its flag, variable, schema and help. */
export const LOAD_SETTINGS = {
  url: { flag: '--url', arg: '<url>', env: 'LOAD_URL', schema: httpUrl.default(DEFAULT_LOAD_URL), help: 'URL to load, normally the proxy' },
  session: {
    flag: '--session',
    arg: '<id>',
    env: 'LOAD_SESSION',
    schema: SessionIdSchema.optional(),
    help: 'session id sent as x-downspin-session; none: a fresh random id',
  },
  baseRps: { flag: '--base-rps', arg: '<rps>', env: 'BASE_RPS', schema: rps.default(10), help: 'target rate of the base phase' },
  baseSeconds: { flag: '--base-seconds', arg: '<s>', env: 'BASE_SECONDS', schema: seconds.default(10), help: 'length of the base phase' },
  spikeRps: { flag: '--spike-rps', arg: '<rps>', env: 'SPIKE_RPS', schema: rps.default(100), help: 'target rate of the spike phase' },
  spikeSeconds: { flag: '--spike-seconds', arg: '<s>', env: 'SPIKE_SECONDS', schema: seconds.default(5), help: 'length of the spike phase' },
  cooldownRps: { flag: '--cooldown-rps', arg: '<rps>', env: 'COOLDOWN_RPS', schema: rps.default(10), help: 'target rate of the cooldown phase' },
  cooldownSeconds: { flag: '--cooldown-seconds', arg: '<s>', env: 'COOLDOWN_SECONDS', schema: seconds.default(10), help: 'length of the cooldown phase' },
  concurrency: {
    flag: '--concurrency',
    arg: '<n>',
    env: 'LOAD_CONCURRENCY',
    schema: wholeBetween(1, 10_000).default(100),
    help: 'most requests in flight; a request due while at the cap is skipped and counted',
  },
  maxRequests: {
    flag: '--max-requests',
    arg: '<n>',
    env: 'LOAD_MAX_REQUESTS',
    schema: wholeBetween(1, 10_000_000).default(10_000),
    help: 'stop after sending this many requests',
  },
  maxSeconds: {
    flag: '--max-seconds',
    arg: '<s>',
    env: 'LOAD_MAX_SECONDS',
    schema: wholeBetween(1, 86_400).default(60),
    help: 'stop sending and abort what is in flight after this many seconds',
  },
  timeoutMs: {
    flag: '--timeout-ms',
    arg: '<ms>',
    env: 'LOAD_TIMEOUT_MS',
    schema: wholeBetween(1, 600_000).default(10_000),
    help: 'give up on a request idle this long (counted as other)',
  },
  json: { flag: '--json', env: 'LOAD_JSON', schema: onOff.default(false), help: 'print JSON lines instead of text' },
  allowRemote: { flag: '--allow-remote', schema: onOff.default(false), help: 'load a target that is not loopback (flag only, never from the environment)' },
} as const satisfies Record<string, LoadSetting>;

export type LoadSettingName = keyof typeof LOAD_SETTINGS;

export interface LoadSettings {
  url: string;
  session: string;
  phases: PhaseSpec[];
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
  timeoutMs: number;
  json: boolean;
  allowRemote: boolean;
}

/**
 * Reads every load setting: a flag wins over the environment, which wins over
 * the default. Throws one ConfigError naming each bad flag or variable.
 *
 * @example readLoadSettings({ spikeRps: '200' }, process.env)
 */
export function readLoadSettings(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): LoadSettings {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(LOAD_SETTINGS) as [LoadSettingName, LoadSetting][]) {
    const fromFlag = flags[name];
    const fromEnv = setting.env === undefined ? undefined : env[setting.env];
    const raw = fromFlag !== undefined ? fromFlag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) {
      values[name] = parsed.data;
      continue;
    }
    const source = fromFlag !== undefined || setting.env === undefined ? setting.flag : setting.env;
    problems.push(`${source}=${JSON.stringify(raw)}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`bad setting: ${problems.join('; ')}`);

  const number = (name: LoadSettingName): number => values[name] as number;
  const phases: PhaseSpec[] = [
    { name: 'base', rps: number('baseRps'), seconds: number('baseSeconds') },
    { name: 'spike', rps: number('spikeRps'), seconds: number('spikeSeconds') },
    { name: 'cooldown', rps: number('cooldownRps'), seconds: number('cooldownSeconds') },
  ];
  if (phases.every((phase) => Math.floor(phase.rps * phase.seconds + 1e-9) === 0)) {
    throw new ConfigError('bad setting: nothing to send: every phase has 0 rps or 0 seconds (see --base-rps, --base-seconds, …)');
  }
  return {
    url: values.url as string,
    session: (values.session as string | undefined) ?? newSessionId(),
    phases,
    concurrency: number('concurrency'),
    maxRequests: number('maxRequests'),
    maxSeconds: number('maxSeconds'),
    timeoutMs: number('timeoutMs'),
    json: values.json as boolean,
    allowRemote: values.allowRemote as boolean,
  };
}
