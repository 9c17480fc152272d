import { LATENCY_DISTRIBUTIONS, ProfileSchema, type LatencyDistribution, type ProfileInput } from '@downspin/protocol';
import type { z } from 'zod';

/** The custom profile form: text fields as typed (blank = not set); rates in percent. */
export interface ProfileForm {
  latencyMs: string;
  jitterMs: string;
  distribution: LatencyDistribution;
  downKbps: string;
  upKbps: string;
  rps: string;
  burst: string;
  errorRatePercent: string;
  status: string;
  resetRatePercent: string;
  timeoutRatePercent: string;
  failFirst: string;
  routes: string;
  seed: string;
}

export const EMPTY_PROFILE_FORM: ProfileForm = {
  latencyMs: '',
  jitterMs: '',
  distribution: 'uniform',
  downKbps: '',
  upKbps: '',
  rps: '',
  burst: '',
  errorRatePercent: '',
  status: '',
  resetRatePercent: '',
  timeoutRatePercent: '',
  failFirst: '',
  routes: '',
  seed: '',
};

export const DISTRIBUTIONS = LATENCY_DISTRIBUTIONS;

/** Field names as the form labels them, for error messages. */
const LABELS: Record<string, string> = {
  'latency.ms': 'Latency',
  'latency.jitterMs': 'Jitter',
  'latency.distribution': 'Distribution',
  bandwidth: 'Bandwidth',
  'bandwidth.downKbps': 'Download',
  'bandwidth.upKbps': 'Upload',
  'rateLimit.rps': 'Requests per second',
  'rateLimit.burst': 'Burst',
  faults: 'Faults',
  'faults.errorRate': 'Error rate',
  'faults.status': 'Error status',
  'faults.resetRate': 'Reset rate',
  'faults.timeoutRate': 'Timeout rate',
  'faults.failFirst': 'Fail first',
  routes: 'Routes',
  seed: 'Seed',
};

export type ProfileResult = { ok: true; profile: ProfileInput } | { ok: false; error: string };

/** One line naming each bad field by its label. */
export function describeProfileError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const label = LABELS[path] ?? LABELS[path.replace(/\.\d+$/, '')] ?? (path || 'Profile');
      return `${label}: ${issue.message}`;
    })
    .join('; ');
}

class FieldError extends Error {}

function numberField(value: string, label: string, scale = 1): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const number = Number(text);
  if (!Number.isFinite(number)) throw new FieldError(`${label}: enter a number`);
  return number * scale;
}

/** Removes keys whose value is undefined, and the object itself when nothing is left. */
function compact<T extends Record<string, unknown>>(object: T): T | undefined {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}

/**
 * The form as a profile, checked with the protocol's `ProfileSchema` (the
 * same check the API makes), so a bad value is named before anything is sent.
 */
export function profileFromForm(form: ProfileForm): ProfileResult {
  try {
    const latencyMs = numberField(form.latencyMs, 'Latency');
    const jitterMs = numberField(form.jitterMs, 'Jitter');
    if (latencyMs === undefined && jitterMs !== undefined) throw new FieldError('Jitter: set a latency too');
    const routes = form.routes
      .split(/[\s,]+/)
      .map((r) => r.trim())
      .filter((r) => r !== '');
    const profile = compact({
      latency: latencyMs === undefined ? undefined : compact({ ms: latencyMs, jitterMs, distribution: jitterMs ? form.distribution : undefined }),
      bandwidth: compact({ downKbps: numberField(form.downKbps, 'Download'), upKbps: numberField(form.upKbps, 'Upload') }),
      rateLimit: compact({ rps: numberField(form.rps, 'Requests per second'), burst: numberField(form.burst, 'Burst') }),
      faults: compact({
        errorRate: numberField(form.errorRatePercent, 'Error rate', 0.01),
        status: numberField(form.status, 'Error status'),
        resetRate: numberField(form.resetRatePercent, 'Reset rate', 0.01),
        timeoutRate: numberField(form.timeoutRatePercent, 'Timeout rate', 0.01),
        failFirst: numberField(form.failFirst, 'Fail first'),
      }),
      routes: routes.length === 0 ? undefined : routes,
      seed: numberField(form.seed, 'Seed'),
    }) as ProfileInput | undefined;
    if (profile === undefined) return { ok: false, error: 'Set at least one field, or pick the preset "none" to remove shaping.' };
    if (profile.rateLimit !== undefined && profile.rateLimit.rps === undefined) {
      return { ok: false, error: 'Requests per second: set it to use a burst' };
    }
    const checked = checkProfile(profile);
    // The form takes rates in percent: say the limit in the form's terms.
    if (!checked.ok) return { ok: false, error: checked.error.replace('errorRate + resetRate + timeoutRate must not exceed 1', 'error, reset and timeout rates must add up to 100 % at most') };
    return checked;
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, error: error.message };
    throw error;
  }
}

/** A profile typed as JSON (the format of the API and the README). */
export function profileFromJson(text: string): ProfileResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  return checkProfile(value);
}

function checkProfile(value: unknown): ProfileResult {
  const parsed = ProfileSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: describeProfileError(parsed.error) };
  return { ok: true, profile: value as ProfileInput };
}
