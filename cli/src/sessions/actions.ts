import { readFileSync } from 'node:fs';
import {
  ApplyResponseSchema,
  DownspinBodySchema,
  MAX_LATENCY_MS,
  describeZodError,
  NOTIFY_TYPES,
  NotifyBodySchema,
  NotifyResponseSchema,
  PRESET_NAMES,
  PresetNameSchema,
  ProfileSchema,
  SESSION_ID_PATTERN,
  SessionDetailResponseSchema,
  SessionListResponseSchema,
  SessionsFilterSchema,
  TerminateBodySchema,
  type ApplyResponse,
} from '@downspin/protocol';
import { z } from 'zod';
import { appliedLine, sessionDetail, sessionTable } from './format.js';

/** A flag or argument the user got wrong (exit 2), found before anything is sent. */
export class SessionsUsageError extends Error {
  override readonly name = 'SessionsUsageError';
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
}

/** One `downspin sessions` subcommand: its words, how it becomes a request, how the answer is checked and shown. */
export interface SessionAction<Answer = unknown> {
  name: string;
  description: string;
  /** commander argument syntax, e.g. `<id>` */
  args: readonly string[];
  /** [flags, description] */
  options: readonly (readonly [string, string])[];
  request(args: readonly string[], flags: Record<string, unknown>): ApiRequest;
  /** The protocol's schema of a successful answer. */
  answer: z.ZodType<Answer>;
  /** Lines to print; may write a file (`scenarios export`). `args` are the subcommand's arguments. */
  show(answer: Answer, now: number, args: readonly string[]): string[] | Promise<string[]>;
  /** Why the answer, though successful, should end non-zero. */
  problem?(answer: Answer): string | undefined;
}

/** Infers an action's answer from its schema, so `show` and `problem` are typed by it. */
export const action = <Answer>(definition: SessionAction<Answer>): SessionAction => definition as SessionAction;

export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    // A flag's own value has no field path: say what was wrong without "(root)".
    const plain = result.error.issues.every((issue) => issue.path.length === 0);
    throw new SessionsUsageError(`${what}: ${plain ? result.error.issues.map((i) => i.message).join('; ') : describeZodError(result.error)}`);
  }
  return result.data;
}

const IdSchema = z.string().regex(SESSION_ID_PATTERN, 'a session hash, or an id of 1-128 characters of A-Z a-z 0-9 _ -');
export const sessionPath = (id: string, rest = ''): string => `/admin/sessions/${encodeURIComponent(parse(IdSchema, id, '<id>'))}${rest}`;

/** The answer of every shaping command: one line, and exit 3 when a live proxy did not acknowledge it. */
export const applied = {
  answer: ApplyResponseSchema,
  show: (answer: ApplyResponse) => [appliedLine(answer.session, answer.applied)],
  problem: ({ applied: result }: ApplyResponse) => {
    return result.acknowledged
      ? undefined
      : `not_acknowledged: version ${result.version} is stored, but ${result.pending.join(', ')} did not acknowledge it in time`;
  },
};

const ListFlagsSchema = z.object({
  filter: SessionsFilterSchema,
  limit: z.coerce.number({ error: 'expected a number' }).int('expected a whole number').min(1).max(1000).default(100),
});

const LatencyFlagSchema = z.coerce
  .number({ error: 'expected a number of milliseconds' })
  .int('expected whole milliseconds')
  .min(0, 'expected 0 or more')
  .max(MAX_LATENCY_MS, `expected at most ${MAX_LATENCY_MS}`);

/** A profile from `--profile '{"latency":{"ms":400}}'` or `--profile @file.json`. */
function readProfile(text: string): unknown {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch (error) {
      throw new SessionsUsageError(`--profile: cannot read ${text.slice(1)}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new SessionsUsageError(`--profile: not valid JSON: ${(error as Error).message}`);
  }
}

export const SESSION_ACTIONS: readonly SessionAction[] = [
  action({
    name: 'ls',
    description: 'list sessions, most recently seen first',
    args: [],
    options: [
      ['--filter <filter>', 'all, high_risk or throttled (default all)'],
      ['--limit <n>', 'at most this many, 1-1000 (default 100)'],
    ],
    request(_args, flags) {
      const { filter, limit } = parse(ListFlagsSchema, { filter: flags.filter, limit: flags.limit }, 'flags');
      return { method: 'GET', path: `/admin/sessions?filter=${filter}&limit=${limit}` };
    },
    answer: SessionListResponseSchema,
    show: (answer, now) => sessionTable(answer.sessions, now),
  }),
  action({
    name: 'show',
    description: 'one session and its latest commands',
    args: ['<id>'],
    options: [],
    request: ([id]) => ({ method: 'GET', path: sessionPath(id!) }),
    answer: SessionDetailResponseSchema,
    show: (answer) => sessionDetail(answer.session, answer.history),
  }),
  action({
    name: 'upspin',
    description: 'full speed: no added latency, no rate limit',
    args: ['<id>'],
    options: [],
    request: ([id]) => ({ method: 'POST', path: sessionPath(id!, '/upspin'), body: {} }),
    ...applied,
  }),
  action({
    name: 'downspin',
    description: 'add latency to every request',
    args: ['<id>'],
    options: [['--latency-ms <ms>', 'added latency, 0-600000 (default 2000)']],
    request([id], flags) {
      const latency = flags.latencyMs === undefined ? undefined : parse(LatencyFlagSchema, flags.latencyMs, '--latency-ms');
      const body = parse(DownspinBodySchema, latency === undefined ? {} : { latency_ms: latency }, '--latency-ms');
      return { method: 'POST', path: sessionPath(id!, '/downspin'), body };
    },
    ...applied,
  }),
  action({
    name: 'terminate',
    description: 'end the session: 403 from now on, WebSockets closed, the extension told',
    args: ['<id>'],
    options: [['--reason <text>', 'shown to the user (default "Session ended by an operator")']],
    request([id], flags) {
      const body = parse(TerminateBodySchema, flags.reason === undefined ? {} : { reason: flags.reason }, '--reason');
      return { method: 'POST', path: sessionPath(id!, '/terminate'), body };
    },
    ...applied,
  }),
  action({
    name: 'notify',
    description: 'a toast in the session’s page, through the extension',
    args: ['<id>', '<message...>'],
    options: [['--type <type>', `${NOTIFY_TYPES.join(', ')} (default info)`]],
    request(args, flags) {
      const [id, words] = args as unknown as [string, string[]];
      const body = parse(NotifyBodySchema, { message: words.join(' '), ...(flags.type === undefined ? {} : { type: flags.type }) }, 'notify');
      return { method: 'POST', path: sessionPath(id, '/notify'), body };
    },
    answer: NotifyResponseSchema,
    show: ({ notification }) => [`notification ${notification.id} (${notification.type}) sent: ${notification.message}`],
  }),
  action({
    name: 'profile',
    description: 'shape with a preset or a profile',
    args: ['<id>'],
    options: [
      ['--preset <name>', `one of ${PRESET_NAMES.join(', ')}`],
      ['--profile <json>', 'a profile as JSON, or @file.json'],
    ],
    request([id], flags) {
      if ((flags.preset === undefined) === (flags.profile === undefined)) throw new SessionsUsageError('give exactly one of --preset or --profile');
      // Checked against the branch of the body meant, so the message names the field.
      const body =
        flags.preset !== undefined
          ? parse(PresetNameSchema, flags.preset, '--preset')
          : parse(ProfileSchema, readProfile(String(flags.profile)), '--profile');
      return { method: 'PUT', path: sessionPath(id!, '/profile'), body: flags.preset !== undefined ? { preset: body } : { profile: body } };
    },
    ...applied,
  }),
];
