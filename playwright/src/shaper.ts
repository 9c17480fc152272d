import {
  ApplyResponseSchema,
  HarSchema,
  NotifyResponseSchema,
  SESSION_HEADER,
  SessionDetailResponseSchema,
  type Har,
  isPresetName,
  type Mode,
  type NotifyType,
  type PresetName,
  type ProfileInput,
  type ScenarioRef,
  type SessionNotification,
  type SessionView,
  type TimelineStepInput,
} from '@downspin/protocol';
import type { ControlClient } from './control-client.js';
import { DownspinApiError, DownspinConnectionError, ShapingNotAcknowledgedError } from './errors.js';
import type { ProxyTraffic, TrafficCount } from './traffic.js';

/**
 * A preset name (`'slow-3g'`, …), any other string as a stored scenario's
 * name (`'checkout API outage'`), `{ scenario: name }` to say so outright,
 * or a profile (`{ latency: { ms: 400 } }`, …). Presets win: a scenario
 * may not take a preset's name, so a string never means both.
 */
// `string & {}` keeps the preset names suggested by editors beside free scenario names.
export type Shaping = PresetName | (string & {}) | { scenario: string } | ProfileInput;

/** One step of a timeline: `{ atMs, preset }` or `{ atMs, profile }`, in order of `atMs`. */
export type TimelineStep = TimelineStepInput;

/** What a shaping call changed, once every live proxy applied it. */
export interface ShapingApplied {
  /** The session's shaping version (versions only grow). */
  version: number;
  mode: Mode;
  /** The shaping in words, as the dashboard shows it, e.g. "latency 2000 ms". */
  shaping: string;
  /** Ids of the proxies that acknowledged it. */
  appliedBy: string[];
  /** The scenario and version applied, when `apply` was given a scenario. */
  scenario?: ScenarioRef;
}

/** The session as the control API counts it. */
export interface SessionStats {
  /** Requests (and WebSocket handshakes) the proxies received from this session. */
  requests: number;
  /** Bytes received from the browser (headers and bodies). */
  bytesIn: number;
  /** Bytes sent to the browser (headers and bodies). */
  bytesOut: number;
  /** Rate-limit violations (429 answers). */
  violations: number;
  /** Risk score 0–100. */
  risk: number;
  mode: Mode;
  shaping: string;
  version: number;
  /** ISO 8601, or null before the first request. */
  firstSeen: string | null;
  lastSeen: string | null;
}

/** A toast queued for the session's page (shown by the extension, when it is installed). */
export type Notification = SessionNotification;

export interface StatsOptions {
  /** Overrides `downspin.statsTimeoutMs` for this call. */
  timeoutMs?: number;
}

/**
 * The `shaper` fixture: shapes this test's own session. Every shaping call
 * resolves once every live proxy applied the change, so the next line of the
 * test already runs under it.
 */
export interface Shaper {
  /** This test's session id (random, 128 bits, base64url), sent as `x-downspin-session`. */
  readonly sessionId: string;
  /** The 12-hex hash the dashboard and API show for the session. */
  readonly sessionHash: string;
  /**
   * `{ 'x-downspin-session': sessionId }`, for clients the fixture does not
   * set up itself (a `browser.newContext()`, the `request` fixture, a WebSocket
   * client in Node). The `context` and `page` fixtures already send it.
   */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * Shapes the session with a preset, a stored scenario (its current version)
   * or a profile; it replaces the previous shaping. A string that names a
   * preset is the preset; any other string is a scenario's name (an unknown
   * one throws `scenario_not_found`).
   *
   * @example
   * await shaper.apply('slow-3g');
   * await shaper.apply('checkout API outage'); // a scenario made in the dashboard or imported with the CLI
   * await shaper.apply({ scenario: 'train tunnel' });
   * await shaper.apply({ latency: { ms: 400, jitterMs: 100 }, routes: ['/api/**'] });
   * await shaper.apply({ faults: { failFirst: 2, status: 503 } }); // the next 2 requests fail, then pass
   */
  apply(shaping: Shaping): Promise<ShapingApplied>;

  /**
   * Downspin: `ms` of added latency on every request (default 2000).
   *
   * @example
   * await shaper.downspin(1500);
   */
  downspin(ms?: number): Promise<ShapingApplied>;

  /**
   * Upspin: no added latency, no rate limits, no abuse guard.
   *
   * @example
   * await shaper.upspin();
   */
  upspin(): Promise<ShapingApplied>;

  /**
   * Runs steps by the server's clock from now on, so the scenario replays the same way.
   *
   * @example
   * await shaper.timeline([{ atMs: 0, preset: 'offline' }, { atMs: 3000, preset: 'none' }]);
   */
  timeline(steps: TimelineStep[]): Promise<ShapingApplied>;

  /**
   * Ends the session: every further request gets 403, open WebSockets close with 4403.
   *
   * @example
   * await shaper.terminate('checkout abuse test');
   */
  terminate(reason?: string): Promise<ShapingApplied>;

  /**
   * A toast in the session's page, through the extension.
   *
   * @example
   * await shaper.notify('Maintenance in 5 minutes', 'warning');
   */
  notify(message: string, type?: NotifyType): Promise<Notification>;

  /**
   * The session's counters from the control API, once they include this
   * test's traffic. Proxies report activity about once a second, so a read
   * right after `page.goto` could still say 0: `stats()` first counts the
   * requests this test's browser context got answered by the proxy, then
   * polls the API until its counters reach them (at most
   * `downspin.statsTimeoutMs`, default 10 s, then it throws saying what was
   * missing).
   *
   * @example
   * await page.goto('/');
   * expect((await shaper.stats()).requests).toBeGreaterThan(0);
   */
  stats(options?: StatsOptions): Promise<SessionStats>;

  /**
   * The session's requests as HAR 1.2, from the proxy's telemetry: each
   * entry's `timings.blocked` is the delay downspin injected, `wait` the
   * upstream time, and its `comment` the shaping in force (and any fault);
   * the log's `comment` is the shaping history. Opens in Chrome DevTools'
   * network panel. Like `stats()`, it first waits (at most
   * `downspin.statsTimeoutMs`) until it holds as many requests as this
   * test's browser got answered by the proxy. Needs telemetry on.
   *
   * @example
   * await testInfo.attach('network.har', { body: JSON.stringify(await shaper.har()), contentType: 'application/json' });
   */
  har(options?: StatsOptions): Promise<Har>;
}

/** Runs a named step in the test report (test.step). */
export type StepRunner = <T>(title: string, body: () => Promise<T>) => Promise<T>;

export interface SessionShaperOptions {
  sessionId: string;
  sessionHash: string;
  client: ControlClient;
  traffic: Pick<ProxyTraffic, 'snapshot'>;
  statsTimeoutMs: number;
  step: StepRunner;
  /** For error messages: where the control API is. */
  controlUrl: string;
  proxyOrigins: readonly string[];
}

const POLL_MS = 200;
const NO_TRAFFIC = { requests: 0, bytesIn: 0, bytesOut: 0, violations: 0, risk: 0, version: 0 } as const;

/** The `Shaper` of one test's session. */
export class SessionShaper implements Shaper {
  readonly sessionId: string;
  readonly sessionHash: string;
  readonly headers: Readonly<Record<string, string>>;
  /** True once a shaping call was sent: cleanup then resets the session. */
  changed = false;
  private readonly path: string;

  constructor(private readonly options: SessionShaperOptions) {
    this.sessionId = options.sessionId;
    this.sessionHash = options.sessionHash;
    this.headers = Object.freeze({ [SESSION_HEADER]: options.sessionId });
    this.path = `/admin/sessions/${encodeURIComponent(options.sessionId)}`;
  }

  apply(shaping: Shaping): Promise<ShapingApplied> {
    if (typeof shaping === 'string' && isPresetName(shaping)) return this.command(`apply ${shaping}`, 'PUT', 'profile', { preset: shaping });
    const scenario = typeof shaping === 'string' ? shaping : 'scenario' in shaping ? shaping.scenario : undefined;
    if (scenario !== undefined) return this.command(`apply scenario "${scenario}"`, 'PUT', 'scenario', { name: scenario });
    return this.command(`apply ${JSON.stringify(shaping)}`, 'PUT', 'profile', { profile: shaping });
  }

  downspin(ms?: number): Promise<ShapingApplied> {
    return this.command(`downspin ${ms ?? 'default'} ms`, 'POST', 'downspin', ms === undefined ? {} : { latency_ms: ms });
  }

  upspin(): Promise<ShapingApplied> {
    return this.command('upspin', 'POST', 'upspin', {});
  }

  timeline(steps: TimelineStep[]): Promise<ShapingApplied> {
    return this.command(`timeline of ${steps.length} steps`, 'POST', 'timeline', { steps });
  }

  terminate(reason?: string): Promise<ShapingApplied> {
    return this.command('terminate', 'POST', 'terminate', reason === undefined ? {} : { reason });
  }

  notify(message: string, type?: NotifyType): Promise<Notification> {
    return this.options.step(`downspin: notify "${message}"`, async () => {
      const body = type === undefined ? { message } : { message, type };
      const answer = await this.options.client.call('POST', `${this.path}/notify`, body, NotifyResponseSchema);
      return answer.notification;
    });
  }

  stats(options: StatsOptions = {}): Promise<SessionStats> {
    return this.untilCaughtUp('stats', options, async (floor) => {
      const detail = await this.options.client.getOptional(this.path, SessionDetailResponseSchema);
      const stats = detail === undefined ? unseen() : toStats(detail.session);
      const caughtUp = stats.requests >= floor.requests && stats.bytesOut >= floor.bodyBytesReceived && stats.bytesIn >= floor.bodyBytesSent;
      return {
        value: caughtUp ? stats : undefined,
        missing:
          `the control API counts ${stats.requests} requests (${stats.bytesOut} bytes out) for session ${this.sessionHash} ` +
          `while this test's browser got ${floor.requests} answers (${floor.bodyBytesReceived} body bytes)`,
        hint: `Proxies report activity about once a second: is that proxy connected to the control API at ${this.options.controlUrl}?`,
      };
    });
  }

  har(options: StatsOptions = {}): Promise<Har> {
    return this.untilCaughtUp('har', options, async (floor) => {
      const har = await this.options.client.getOptional(`${this.path}/har`, HarSchema);
      return {
        value: har !== undefined && har.log.entries.length >= floor.requests ? har : undefined,
        missing: `the control API has ${har?.log.entries.length ?? 'no'} requests of session ${this.sessionHash} while this test's browser got ${floor.requests} answers`,
        hint: 'Is telemetry on, and is the proxy connected to the control API?',
      };
    });
  }

  /**
   * Reads the API until what it says covers what this test's browser got
   * answered by the proxy (the floor, taken once at the start), at most
   * `timeoutMs` (default statsTimeoutMs); then throws saying what is missing.
   */
  private untilCaughtUp<T>(
    what: string,
    options: StatsOptions,
    read: (floor: TrafficCount) => Promise<{ value: T | undefined; missing: string; hint: string }>,
  ): Promise<T> {
    return this.options.step(`downspin: ${what}`, async () => {
      const timeoutMs = options.timeoutMs ?? this.options.statsTimeoutMs;
      const floor = await this.options.traffic.snapshot();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { value, missing, hint } = await read(floor);
        if (value !== undefined) return value;
        if (Date.now() >= deadline) {
          throw new Error(`downspin: ${what}() waited ${timeoutMs} ms, but ${missing} from ${this.options.proxyOrigins.join(', ')}. ${hint}`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    });
  }

  /** Back to no shaping (the fixture's cleanup). */
  reset(): Promise<ShapingApplied> {
    return this.command('reset to none', 'PUT', 'profile', { preset: 'none' });
  }

  private command(title: string, method: 'POST' | 'PUT', action: string, body: unknown): Promise<ShapingApplied> {
    return this.options.step(`downspin: ${title}`, async () => {
      const before = this.changed;
      this.changed = true;
      const { session, applied } = await this.options.client.call(method, `${this.path}/${action}`, body, ApplyResponseSchema).catch((error: unknown) => {
        // A 4xx answer changed nothing (the API never half-applies), nor did a request
        // that never left; anything else may have, and cleanup then resets.
        const unchanged =
          (error instanceof DownspinApiError && error.status < 500) ||
          (error instanceof DownspinConnectionError && !error.mayHaveArrived);
        if (unchanged) this.changed = before;
        throw error;
      });
      if (!applied.acknowledged) throw new ShapingNotAcknowledgedError(applied.version, applied.pending, applied.appliedBy);
      const result: ShapingApplied = { version: applied.version, mode: session.mode, shaping: session.shaping, appliedBy: applied.appliedBy };
      if (session.scenario) result.scenario = session.scenario;
      return result;
    });
  }
}

function toStats(view: SessionView): SessionStats {
  const { requests, bytesIn, bytesOut, violations, risk, mode, shaping, version, firstSeen, lastSeen } = view;
  return { requests, bytesIn, bytesOut, violations, risk, mode, shaping, version, firstSeen, lastSeen };
}

/** A session the API has not seen: no traffic and no shaping yet. */
function unseen(): SessionStats {
  return { ...NO_TRAFFIC, mode: 'none', shaping: '', firstSeen: null, lastSeen: null };
}
