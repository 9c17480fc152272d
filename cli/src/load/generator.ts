import { LoadPlan, type PhaseName, type PhaseSpec } from './plan.js';
import type { Sender } from './sender.js';
import { Tally, type Counts } from './stats.js';

/** What a run needs: no clock, no sockets (those come in `LoadDeps`). */
export interface LoadRun {
  /** Shown in the report only; the sender knows where to send. */
  url: string;
  session: string;
  phases: readonly PhaseSpec[];
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
}

export interface LoadDeps {
  sender: Sender;
  /** Where start, per-second and summary events go (e.g. a text or JSON line writer). */
  report: (event: LoadEvent) => void;
  /** Aborting stops sending, ends what is in flight and reports the summary. */
  signal?: AbortSignal;
}

export interface StartEvent {
  type: 'start';
  url: string;
  session: string;
  phases: PhaseSpec[];
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
}

/**
 * One second of the run. `sent` and `skipped` count what was due in this
 * second; ok / rateLimited / other and the latencies count the answers that
 * arrived in it (so a slow answer shows in the second it came back).
 */
export interface SecondEvent extends Counts {
  type: 'second';
  /** 1 for the first second of the run. */
  second: number;
  /** The phase running at the start of this second; `drain` once sending has ended. */
  phase: PhaseName | 'drain';
  targetRps: number;
  /** Requests still in flight at the end of the second. */
  inFlight: number;
}

/** A phase's totals: every request counts in the phase that was due to send it. */
export interface PhaseSummary extends Counts {
  phase: PhaseName;
  targetRps: number;
  seconds: number;
}

export type StopReason = 'completed' | 'max-requests' | 'max-seconds' | 'interrupted';

export interface SummaryEvent {
  type: 'summary';
  stopReason: StopReason;
  elapsedMs: number;
  phases: PhaseSummary[];
  total: Counts;
}

export type LoadEvent = StartEvent | SecondEvent | SummaryEvent;

/**
 * Runs an open-model load: requests go out when the plan says they are due,
 * not when earlier ones have answered (a closed loop would slow down exactly
 * when the target does, hiding the spike). At most `concurrency` are in
 * flight; a request due at the cap is skipped and counted. Sending stops at
 * the end of the last phase, after `maxRequests`, or at `maxSeconds`, when
 * whatever is still in flight is aborted.
 *
 * @example
 * const summary = await runLoad(
 *   { url, session, phases: [{ name: 'base', rps: 10, seconds: 2 }], concurrency: 10, maxRequests: 100, maxSeconds: 10 },
 *   { sender: createHttpSender({ url, session, concurrency: 10, timeoutMs: 5000 }), report: console.log },
 * );
 */
export async function runLoad(run: LoadRun, deps: LoadDeps): Promise<SummaryEvent> {
  const { sender, report, signal } = deps;
  const plan = new LoadPlan(run.phases);
  const startedAt = performance.now();
  const elapsed = (): number => performance.now() - startedAt;
  const hardEndMs = run.maxSeconds * 1000;
  const sendEndMs = Math.min(plan.durationMs, hardEndMs);

  const thisSecond = new Tally();
  const perPhase = plan.phases.map(() => new Tally());
  const total = new Tally();
  let secondsReported = 0;
  let scheduled = 0;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  let stopReason: StopReason | undefined;

  report({
    type: 'start',
    url: run.url,
    session: run.session,
    phases: run.phases.map((phase) => ({ ...phase })),
    concurrency: run.concurrency,
    maxRequests: run.maxRequests,
    maxSeconds: run.maxSeconds,
  });

  const reportSecond = (): void => {
    secondsReported += 1;
    const startMs = (secondsReported - 1) * 1000;
    const phase = startMs < sendEndMs ? plan.phaseAt(startMs) : undefined;
    report({ type: 'second', second: secondsReported, phase: phase?.name ?? 'drain', targetRps: phase?.rps ?? 0, inFlight, ...thisSecond.counts() });
    thisSecond.reset();
  };
  const reportPassedSeconds = (): void => {
    // Read the clock once: a sink slower than a second per line must not keep this loop going.
    const passed = Math.floor(elapsed() / 1000);
    while (secondsReported < passed) reportSecond();
  };
  const whenIdle = (): Promise<void> =>
    inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));

  const dispatch = (index: number): void => {
    const phaseIndex = plan.phases.findIndex((phase) => index >= phase.firstIndex && index < phase.firstIndex + phase.count);
    const tallies = [thisSecond, perPhase[phaseIndex]!, total];
    if (inFlight >= run.concurrency) {
      for (const tally of tallies) tally.skipped += 1;
      return;
    }
    for (const tally of tallies) tally.sent += 1;
    inFlight += 1;
    // send() never rejects (errors are outcomes), so nothing floats unhandled.
    void sender.send().then((outcome) => {
      inFlight -= 1;
      for (const tally of tallies) tally.record(outcome);
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    });
  };

  // Send: wake for the next due request, the next second boundary or the end.
  while (stopReason === undefined) {
    const now = elapsed();
    if (signal?.aborted) {
      stopReason = 'interrupted';
      break;
    }
    const ending = now >= sendEndMs;
    // At the end the drain closes the last second, after aborting leftovers, so they count in it.
    if (!ending) reportPassedSeconds();
    // A late wake-up still sends everything due before the end: catch up, never drop.
    const due = plan.dueBy(Math.min(now, sendEndMs - 0.001));
    while (scheduled < due && total.sent < run.maxRequests) dispatch(scheduled++);
    if (total.sent >= run.maxRequests && scheduled < plan.totalRequests) stopReason = 'max-requests';
    else if (ending) stopReason = plan.durationMs <= hardEndMs ? 'completed' : 'max-seconds';
    if (stopReason !== undefined) break;
    const next = Math.min(plan.timeOf(scheduled), (secondsReported + 1) * 1000, sendEndMs);
    await sleep(next - elapsed(), signal);
  }

  // Drain: wait for answers until the hard end, still reporting each second.
  while (inFlight > 0) {
    const now = elapsed();
    // Abort before closing the second, so the aborted requests count in it.
    if (signal?.aborted || now >= hardEndMs) {
      if (stopReason !== 'interrupted') stopReason = signal?.aborted ? 'interrupted' : 'max-seconds';
      sender.abortAll();
      // Aborted requests settle at once; the grace only bounds a misbehaving sender.
      await Promise.race([whenIdle(), sleep(1000)]);
      break;
    }
    reportPassedSeconds();
    await Promise.race([whenIdle(), sleep(Math.min((secondsReported + 1) * 1000, hardEndMs) - now, signal)]);
  }
  reportPassedSeconds();
  if (thisSecond.active) reportSecond();

  const summary: SummaryEvent = {
    type: 'summary',
    stopReason: stopReason ?? 'completed',
    elapsedMs: Math.round(elapsed()),
    phases: plan.phases.map((phase, i) => ({ phase: phase.name, targetRps: phase.rps, seconds: phase.seconds, ...perPhase[i]!.counts() })),
    total: total.counts(),
  };
  report(summary);
  return summary;
}

/** Resolves after `ms` (at least a tick), or as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
