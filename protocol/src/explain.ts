import type {
  BandwidthSettings,
  ConnectionSettings,
  FaultSettings,
  LatencySettings,
  Profile,
  RateLimitSettings,
  StallSettings,
  TruncateSettings,
} from './profile.js';
import type { ScenarioRef } from './scenario-name.js';
import type { ShapingState, TimelineStep } from './shaping.js';

/*
 * Words for shaping, beside the definitions they describe: the dashboard,
 * the CLI, the client channel and the proxy's telemetry labels all read
 * these, so a label is changed here once. Pure functions, no runtime
 * dependencies: the browser dashboard imports them too.
 */

/** A rate limit's bucket size: `burst`, else ceil(rps), at least 1. The proxy's token bucket uses the same. */
export function rateLimitBurst(settings: RateLimitSettings): number {
  return settings.burst ?? Math.max(1, Math.ceil(settings.rps));
}

/** e.g. "latency 400±100 ms uniform". */
export function explainLatency({ ms, jitterMs, distribution }: LatencySettings): string {
  if (jitterMs === 0) return `latency ${ms} ms`;
  switch (distribution) {
    case 'uniform':
      return `latency ${ms}±${jitterMs} ms uniform`;
    case 'normal':
      return `latency ${ms} ms, normal σ ${jitterMs} ms`;
    case 'pareto':
      return `latency ${ms} ms + pareto tail (scale ${jitterMs} ms)`;
  }
}

/** e.g. "bandwidth ↓750 kbps ↑250 kbps". */
export function explainBandwidth({ downKbps, upKbps }: BandwidthSettings): string {
  const parts: string[] = [];
  if (downKbps !== undefined) parts.push(`↓${downKbps} kbps`);
  if (upKbps !== undefined) parts.push(`↑${upKbps} kbps`);
  return `bandwidth ${parts.join(' ')}`;
}

/** e.g. "rate limit 5 rps, burst 10". */
export function explainRateLimit(settings: RateLimitSettings): string {
  return `rate limit ${settings.rps} rps, burst ${rateLimitBurst(settings)}`;
}

const percent = (rate: number): string => `${Math.round(rate * 1000) / 10}%`;

/** e.g. "faults first 3 fail 503, 10% 503, 2% reset". */
export function explainFaults({ errorRate, status, resetRate, timeoutRate, failFirst }: FaultSettings): string {
  const parts: string[] = [];
  if (failFirst > 0) parts.push(`first ${failFirst} fail ${status}`);
  if (errorRate > 0) parts.push(`${percent(errorRate)} ${status}`);
  if (resetRate > 0) parts.push(`${percent(resetRate)} reset`);
  if (timeoutRate > 0) parts.push(`${percent(timeoutRate)} timeout`);
  return parts.length > 0 ? `faults ${parts.join(', ')}` : 'faults none';
}

/** e.g. "connection set-up 300 ms". */
export function explainConnection({ setupMs }: ConnectionSettings): string {
  return `connection set-up ${setupMs} ms`;
}

/** e.g. "truncate 5% after 1024 bytes". */
export function explainTruncate({ rate, afterBytes }: TruncateSettings): string {
  return `truncate ${percent(rate)} after ${afterBytes} bytes`;
}

/** e.g. "stall 10% for 3000 ms after 1024 bytes". */
export function explainStall({ rate, afterBytes, ms }: StallSettings): string {
  return `stall ${percent(rate)} for ${ms} ms after ${afterBytes} bytes`;
}

/**
 * Words for a profile: its effects, then the routes it is limited to; with
 * `preset`, the preset's name first, e.g. "slow-3g (latency 2000 ms, …)".
 */
export function explainProfile(profile: Profile, preset?: string): string {
  // Listed in a fixed order, whatever order the proxy builds its effects in.
  const parts: string[] = [];
  if (profile.latency) parts.push(explainLatency(profile.latency));
  if (profile.bandwidth) parts.push(explainBandwidth(profile.bandwidth));
  if (profile.rateLimit) parts.push(explainRateLimit(profile.rateLimit));
  if (profile.faults) parts.push(explainFaults(profile.faults));
  if (profile.connection) parts.push(explainConnection(profile.connection));
  if (profile.truncate) parts.push(explainTruncate(profile.truncate));
  if (profile.stall) parts.push(explainStall(profile.stall));
  if (parts.length === 0) return preset ?? 'no shaping';
  const words = profile.routes ? `${parts.join(', ')} on ${profile.routes.join(' ')}` : parts.join(', ');
  return preset === undefined ? words : `${preset} (${words})`;
}

/** The profile the downspin mode applies: a fixed latency, no jitter. */
export function downspinProfile(latencyMs: number): Profile {
  return { latency: { ms: latencyMs, jitterMs: 0, distribution: 'uniform' } };
}

/** e.g. 'scenario "checkout outage" v3'. */
export function explainScenario({ name, version }: ScenarioRef): string {
  return `scenario "${name}" v${version}`;
}

/** `words`, after the scenario they came from when there is one: 'scenario "x" v3: latency 400 ms'. */
function fromScenario(scenario: ScenarioRef | undefined, words: string): string {
  return scenario === undefined ? words : `${explainScenario(scenario)}: ${words}`;
}

/**
 * Words for step `index` (from 0) of a timeline while it is in force, e.g. "timeline step 2/3: no shaping",
 * after its scenario's name when it came from one.
 */
export function explainTimelineStep(steps: readonly TimelineStep[], index: number, scenario?: ScenarioRef): string {
  const step = steps[index]!;
  return fromScenario(scenario, `timeline step ${index + 1}/${steps.length}: ${explainProfile(step.profile, step.preset)}`);
}

/** Words for a session's shaping state, for the dashboard, the CLI, the client channel and telemetry. */
export function explainShaping(state: ShapingState): string {
  switch (state.mode) {
    case 'none':
      return 'no shaping';
    case 'upspin':
      return 'upspin: no added latency, no rate limit';
    case 'downspin':
      return `downspin: ${explainProfile(downspinProfile(state.latencyMs))}`;
    case 'profile':
      return fromScenario(state.scenario, explainProfile(state.profile, state.preset));
    case 'timeline':
      return fromScenario(
        state.scenario,
        `timeline of ${state.steps.length} step${state.steps.length === 1 ? '' : 's'} over ${state.steps[state.steps.length - 1]!.atMs} ms`,
      );
    case 'terminated':
      return `terminated: ${state.reason}`;
  }
}
