import { z } from 'zod';
import { DEFAULT_FORWARD_PROXY, forwardOrigins, MAX_FORWARD_HOSTS, parseForwardHost, parseProxyAddress } from './forward.js';
import { parseControlUrl, parseOrigin, type Parsed } from './origins.js';

// Extension pages forbid eval: zod must not try compiling its parsers there.
z.config({ jitless: true });

/**
 * Where `downspin start` listens by default, in both spellings: it prints
 * `http://127.0.0.1:8080`, and people type `localhost`. An origin is exact
 * (scheme, host, port), so a tab on the other spelling would go untagged and
 * its session silently unshaped.
 */
export const DEFAULT_PROXY_ORIGINS: readonly string[] = ['http://127.0.0.1:8080', 'http://localhost:8080'];
/** The control API as `downspin start` prints it. */
export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:8081';
/** Client events: sent in batches of this many, or after this long, whichever first. */
export const DEFAULT_BATCH_SIZE = 10;
export const DEFAULT_FLUSH_INTERVAL_MS = 2000;
export const MAX_PROXY_ORIGINS = 20;

/** A string read by one of the parsers, its words as the schema's message. */
const parsedBy = (parse: (text: string) => Parsed<string>) =>
  z.string().transform((text, ctx) => {
    const parsed = parse(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.value;
  });

const OriginSchema = parsedBy(parseOrigin);
const ControlUrlSchema = parsedBy(parseControlUrl);

/** What the options page edits, kept in `storage.local` under `settings`. */
export const SettingsSchema = z.strictObject({
  proxyOrigins: z
    .array(OriginSchema)
    .min(1, 'at least one proxy origin is required')
    .max(MAX_PROXY_ORIGINS, `at most ${MAX_PROXY_ORIGINS} proxy origins`)
    .transform((origins) => [...new Set(origins)]),
  controlUrl: ControlUrlSchema,
  /** Hosts the browser sends through the downspin proxy (forward mode), tagged with the session; none by default. */
  forwardHosts: z
    .array(parsedBy(parseForwardHost))
    .max(MAX_FORWARD_HOSTS, `at most ${MAX_FORWARD_HOSTS} hosts`)
    .default([])
    .transform((hosts) => [...new Set(hosts)]),
  /** The downspin proxy those hosts go through, `host:port`. */
  forwardProxy: parsedBy(parseProxyAddress).default(DEFAULT_FORWARD_PROXY),
  batchSize: z.number().int().min(1).max(100).default(DEFAULT_BATCH_SIZE),
  flushIntervalMs: z.number().int().min(250).max(60_000).default(DEFAULT_FLUSH_INTERVAL_MS),
});
export type Settings = z.output<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  proxyOrigins: [...DEFAULT_PROXY_ORIGINS],
  controlUrl: DEFAULT_CONTROL_URL,
  forwardHosts: [],
  forwardProxy: DEFAULT_FORWARD_PROXY,
  batchSize: DEFAULT_BATCH_SIZE,
  flushIntervalMs: DEFAULT_FLUSH_INTERVAL_MS,
};

/** Stored settings, or the defaults when none (or broken ones) are stored. */
export function settingsOrDefaults(stored: unknown): Settings {
  const parsed = SettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

export const StoredSessionSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/), consentAt: z.number() });
export type StoredSession = z.output<typeof StoredSessionSchema>;

export const StoredTerminationSchema = z.object({ reason: z.string().max(500), at: z.number() });
export type StoredTermination = z.output<typeof StoredTerminationSchema>;

/**
 * The origins whose requests carry the session: the proxy origins (reverse
 * mode) and the hosts routed through downspin (forward mode), each once.
 */
export function taggedOrigins(settings: Pick<Settings, 'proxyOrigins' | 'forwardHosts'>): string[] {
  return [...new Set([...settings.proxyOrigins, ...forwardOrigins(settings.forwardHosts)])];
}
