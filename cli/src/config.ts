import { parseHostRule, parseResolveEntry } from '@downspin/proxy';
import { z } from 'zod';

/**
 * Configuration: flags, then environment, then defaults, validated once.
 * Every setting knows its flag and its environment variable, so an error
 * names exactly what the user typed wrong.
 */

const port = z.coerce
  .number({ error: 'expected a port number' })
  .int('expected a whole port number')
  .min(0, 'expected a port from 0 to 65535')
  .max(65535, 'expected a port from 0 to 65535');

const urlWith = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .refine((value) => URL.canParse(value), 'expected a URL, e.g. ' + protocols[0] + '//host:port')
    .refine((value) => !URL.canParse(value) || protocols.includes(new URL(value).protocol), {
      message: `expected a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL`,
    });

const flag = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])], {
    error: 'expected on/off, true/false, yes/no or 1/0',
  })
  .transform((value) => value === true || value === '1' || value === 'true' || value === 'yes' || value === 'on');

/**
 * A comma-separated list (a repeated flag arrives joined with commas), each
 * entry checked by `parse`, whose error is the message.
 */
const listOf = (parse: (entry: string) => unknown) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value.join(',') : value).split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
    .superRefine((entries, ctx) => {
      for (const entry of entries) {
        try {
          parse(entry);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }
    });

const positive = z.coerce.number({ error: 'expected a number' }).int('expected a whole number').positive('expected a number above 0');

/** Every setting downspin reads, with its flag, environment variable and schema. */
export const SETTINGS = {
  target: { flag: '--target', env: 'TARGET_URL', schema: urlWith(['http:', 'https:']).optional(), help: 'the app under test (http:// or https://); none: the bundled demo app' },
  port: { flag: '--port', env: 'PROXY_PORT', schema: port.default(8080), help: 'proxy port' },
  metricsPort: {
    flag: '--metrics-port',
    env: 'METRICS_PORT',
    schema: port.optional(),
    help: "a separate proxy's Prometheus /metrics (event-loop delay, memory, traffic) on this port; off when unset",
  },
  controlPort: { flag: '--control-port', env: 'CONTROL_PORT', schema: port.default(8081), help: 'control API and dashboard port' },
  controlUrl: { flag: '--control-url', env: 'CONTROL_URL', schema: urlWith(['http:', 'https:']).optional(), help: 'where a separate proxy or the CLI finds the control API' },
  host: { flag: '--host', env: 'HOST', schema: z.string().trim().min(1).default('127.0.0.1'), help: 'interface to listen on (0.0.0.0 for all)' },
  dataDir: { flag: '--data-dir', env: 'DOWNSPIN_DATA_DIR', schema: z.string().trim().min(1).default('./.downspin'), help: 'where the embedded default keeps its files' },
  adminKey: { flag: undefined, env: 'ADMIN_API_KEY', schema: z.string().min(16, 'expected at least 16 characters').optional(), help: 'API key of the control API' },
  redisUrl: { flag: undefined, env: 'REDIS_URL', schema: urlWith(['redis:', 'rediss:']).optional(), help: 'Redis for the command bus (scale-out)' },
  redisPrefix: {
    flag: undefined,
    env: 'REDIS_PREFIX',
    schema: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_:.-]+$/, 'expected letters, digits and _ : . -').default('downspin:'),
    help: 'prefix of every Redis channel, so deployments can share one Redis',
  },
  databaseUrl: { flag: undefined, env: 'DATABASE_URL', schema: urlWith(['postgres:', 'postgresql:']).optional(), help: 'PostgreSQL for session state (scale-out)' },
  clickhouseUrl: { flag: undefined, env: 'CLICKHOUSE_URL', schema: urlWith(['http:', 'https:']).optional(), help: 'ClickHouse for telemetry (scale-out)' },
  insecureTarget: { flag: '--insecure-target', env: 'TARGET_INSECURE', schema: flag.default(false), help: 'trust an https target whose certificate does not verify' },
  intercept: {
    flag: '--intercept',
    env: 'DOWNSPIN_INTERCEPT',
    schema: listOf(parseHostRule).default([]),
    help: 'forward mode: hosts intercepted (TLS too) and shaped, comma-separated: staging.example.com,*.staging.example.com',
  },
  tunnelUnlisted: {
    flag: '--tunnel-unlisted',
    env: 'DOWNSPIN_TUNNEL_UNLISTED',
    schema: flag.default(false),
    help: 'forward mode: tunnel hosts not in --intercept untouched instead of refusing them (never to loopback, link-local or metadata addresses)',
  },
  resolve: {
    flag: '--resolve',
    env: 'DOWNSPIN_RESOLVE',
    schema: listOf(parseResolveEntry).default([]),
    help: "forward mode: host:port:address, as curl's --resolve (repeatable or comma-separated)",
  },
  upstreamCa: {
    flag: '--upstream-ca',
    env: 'DOWNSPIN_UPSTREAM_CA',
    schema: z.string().trim().min(1).optional(),
    help: 'PEM file of CAs trusted for upstream https besides the system ones (origins with their own CA)',
  },
  requireProxyAuth: {
    flag: '--require-proxy-auth',
    env: 'DOWNSPIN_REQUIRE_PROXY_AUTH',
    schema: flag.default(false),
    help: 'forward mode: answer 407 to a CONNECT or request without proxy credentials (the session id as user name)',
  },
  abuseGuard: { flag: undefined, env: 'ABUSE_GUARD', schema: flag.default(true), help: 'ban sessions after repeated rate-limit violations' },
  abuseMaxViolations: { flag: undefined, env: 'ABUSE_MAX_VIOLATIONS', schema: positive.default(50), help: 'violations that ban a session' },
  abuseBanSeconds: { flag: undefined, env: 'ABUSE_BAN_SECONDS', schema: positive.default(300), help: 'how long a ban lasts' },
  wsMaxMessageMiB: { flag: undefined, env: 'WS_MAX_MESSAGE_MIB', schema: positive.default(4), help: 'largest WebSocket message relayed (MiB)' },
  wsQueueMiB: { flag: undefined, env: 'WS_QUEUE_MIB', schema: positive.default(8), help: 'WebSocket bytes held per direction before the sender is paused (MiB)' },
  wsSessionQueueMiB: { flag: undefined, env: 'WS_SESSION_QUEUE_MIB', schema: positive.default(32), help: 'WebSocket bytes held per session before its senders are paused (MiB)' },
  addressGuard: {
    flag: undefined,
    env: 'ADDRESS_GUARD',
    schema: flag.default(false),
    help: 'rate-limit and ban each client address across all its session ids (off: clients behind one NAT share an address)',
  },
  addressRps: { flag: undefined, env: 'ADDRESS_RPS', schema: positive.default(50), help: 'requests a second each address may send (address guard)' },
  addressBurst: { flag: undefined, env: 'ADDRESS_BURST', schema: positive.default(100), help: 'requests an address may send at once above the rate (address guard)' },
  addressMaxViolations: { flag: undefined, env: 'ADDRESS_MAX_VIOLATIONS', schema: positive.default(50), help: '429s that ban an address (address guard)' },
  addressBanSeconds: { flag: undefined, env: 'ADDRESS_BAN_SECONDS', schema: positive.default(300), help: 'how long an address ban lasts' },
  headersTimeoutSeconds: {
    flag: undefined,
    env: 'HEADERS_TIMEOUT_SECONDS',
    schema: positive.default(30),
    help: 'longest a client may take to send request headers (408, closed)',
  },
  bodyIdleTimeoutSeconds: {
    flag: undefined,
    env: 'BODY_IDLE_TIMEOUT_SECONDS',
    schema: positive.default(30),
    help: 'longest a request body may stall (under 1 KiB read) before the connection is closed; paced uploads are not cut',
  },
  sessionIdleMinutes: {
    flag: undefined,
    env: 'SESSION_IDLE_MINUTES',
    schema: z.coerce.number({ error: 'expected a number' }).int('expected a whole number').min(0, 'expected 0 or more').default(60),
    help: 'sessions never shaped are deleted from the store after this many idle minutes (0: kept forever)',
  },
  retentionDays: { flag: undefined, env: 'TELEMETRY_RETENTION_DAYS', schema: positive.default(90), help: 'days of telemetry kept in ClickHouse' },
  logLevel: {
    flag: '--log-level',
    env: 'LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    help: 'log level',
  },
} as const;

export type SettingName = keyof typeof SETTINGS;
type Schemas = { [K in SettingName]: (typeof SETTINGS)[K]['schema'] };
export type Settings<K extends SettingName> = { [P in K]: z.output<Schemas[P]> };

/** A bad setting: the message names the flag or variable and what was wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the named settings: a flag the user gave wins over the environment,
 * which wins over the default. Throws a ConfigError listing every bad one.
 *
 * @example readSettings(['port', 'target'], { port: '9000' }, process.env)
 */
export function readSettings<K extends SettingName>(
  names: readonly K[],
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Settings<K> {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of names) {
    const setting = SETTINGS[name];
    const fromFlag = flags[name];
    const fromEnv = env[setting.env];
    const raw = fromFlag !== undefined ? fromFlag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) {
      result[name] = parsed.data;
      continue;
    }
    const source = fromFlag !== undefined && setting.flag ? setting.flag : setting.env;
    const shown = name === 'adminKey' ? '(hidden)' : JSON.stringify(raw);
    problems.push(`${source}=${shown}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`bad setting: ${problems.join('; ')}`);
  return result as Settings<K>;
}
