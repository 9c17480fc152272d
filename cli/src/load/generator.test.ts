import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runLoad, type LoadEvent, type LoadRun, type SecondEvent, type SummaryEvent } from './generator.js';
import type { PhaseSpec } from './plan.js';
import type { Sender } from './sender.js';
import type { Outcome } from './stats.js';

/**
 * The scheduling and aggregation under a fake clock: a fake sender answers
 * after a set latency (on the fake clock), so every count is exact.
 */
function fakeSender(answer: (index: number) => { outcome: Outcome; afterMs: number }) {
  let sent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const pending = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: (outcome: Outcome) => void }>();
  const sender: Sender = {
    send() {
      const { outcome, afterMs } = answer(sent++);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<Outcome>((resolve) => {
        const entry = {
          resolve: (result: Outcome) => {
            pending.delete(entry);
            inFlight -= 1;
            resolve(result);
          },
          timer: setTimeout(() => entry.resolve(outcome), afterMs),
        };
        pending.add(entry);
      });
    },
    abortAll() {
      for (const entry of [...pending]) {
        clearTimeout(entry.timer);
        entry.resolve({ error: 'aborted', ms: 0 });
      }
    },
    close() {
      this.abortAll();
    },
  };
  return { sender, stats: () => ({ sent, inFlight, maxInFlight }) };
}

const phases = (base: number, spike: number, cooldown: number, seconds = 2): PhaseSpec[] => [
  { name: 'base', rps: base, seconds },
  { name: 'spike', rps: spike, seconds },
  { name: 'cooldown', rps: cooldown, seconds },
];

async function run(overrides: Partial<LoadRun>, sender: Sender, signal?: AbortSignal) {
  const events: LoadEvent[] = [];
  const done = runLoad(
    { url: 'http://127.0.0.1:1/', session: 's1', phases: phases(10, 50, 5), concurrency: 100, maxRequests: 10_000, maxSeconds: 60, ...overrides },
    { sender, report: (event) => events.push(event), signal },
  );
  await vi.runAllTimersAsync();
  const summary = await done;
  const seconds = events.filter((event): event is SecondEvent => event.type === 'second');
  return { events, seconds, summary };
}

const phaseOf = (summary: SummaryEvent, name: string) => summary.phases.find((phase) => phase.phase === name)!;

describe('runLoad', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('sends each phase at its rate, a line per second, and sums per phase and in total', async () => {
    const { sender } = fakeSender(() => ({ outcome: { status: 200, ms: 20 }, afterMs: 20 }));
    const { events, seconds, summary } = await run({}, sender);
    expect(events[0]).toMatchObject({ type: 'start', session: 's1', maxRequests: 10_000 });
    expect(seconds.map((s) => [s.second, s.phase, s.targetRps, s.sent, s.ok])).toEqual([
      [1, 'base', 10, 10, 10],
      [2, 'base', 10, 10, 10],
      [3, 'spike', 50, 50, 50],
      [4, 'spike', 50, 50, 50],
      [5, 'cooldown', 5, 5, 5],
      // The last answer (sent at 5.8 s) arrives within the sixth second.
      [6, 'cooldown', 5, 5, 5],
    ]);
    expect(seconds[0]).toMatchObject({ avgMs: 20, p95Ms: 20, rateLimited: 0, other: 0, skipped: 0 });
    expect(summary).toMatchObject({ stopReason: 'completed', elapsedMs: 6000 });
    expect(summary.phases.map((p) => [p.phase, p.sent, p.ok])).toEqual([
      ['base', 20, 20],
      ['spike', 100, 100],
      ['cooldown', 10, 10],
    ]);
    expect(summary.total).toMatchObject({ sent: 130, ok: 130, skipped: 0, avgMs: 20 });
    expect(events.at(-1)).toBe(summary);
  });

  it('does not wait for answers before sending the next request (open model)', async () => {
    // Answers take 1.45 s, yet the base phase still sends 10 a second.
    const { sender, stats } = fakeSender(() => ({ outcome: { status: 200, ms: 1450 }, afterMs: 1450 }));
    const { seconds, summary } = await run({ phases: [{ name: 'base', rps: 10, seconds: 2 }] }, sender);
    expect(seconds.map((s) => [s.phase, s.sent, s.ok])).toEqual([
      ['base', 10, 0],
      ['base', 10, 6],
      ['drain', 0, 10],
      ['drain', 0, 4],
    ]);
    expect(stats().maxInFlight).toBe(15);
    expect(summary.total).toMatchObject({ sent: 20, ok: 20 });
    // HDR histogram: 3 significant digits.
    expect(Math.abs(summary.total.avgMs! - 1450)).toBeLessThan(2);
  });

  it('caps requests in flight and counts what it had to skip', async () => {
    const { sender, stats } = fakeSender(() => ({ outcome: { status: 200, ms: 1000 }, afterMs: 1000 }));
    const { summary } = await run({ phases: phases(10, 0, 0, 2), concurrency: 4 }, sender);
    expect(stats().maxInFlight).toBe(4);
    // Due at 0,100,…,1900: sent at 0-300 and at 1000-1300 (after the first four answered).
    expect(summary.total).toMatchObject({ sent: 8, skipped: 12, ok: 8 });
    expect(phaseOf(summary, 'base')).toMatchObject({ sent: 8, skipped: 12 });
  });

  it('sorts answers per phase: 429s in the phase that sent them', async () => {
    // 20 tokens, then 429 for everything after the 25th request (a crude bucket).
    const { sender } = fakeSender((index) => ({ outcome: index < 25 ? { status: 200, ms: 5 } : { status: 429, ms: 1 }, afterMs: 5 }));
    const { seconds, summary } = await run({ phases: phases(10, 50, 0) }, sender);
    expect(phaseOf(summary, 'base')).toMatchObject({ sent: 20, ok: 20, rateLimited: 0 });
    expect(phaseOf(summary, 'spike')).toMatchObject({ sent: 100, ok: 5, rateLimited: 95 });
    expect(seconds[2]).toMatchObject({ phase: 'spike', ok: 5, rateLimited: 45 });
  });

  it('counts other statuses and network errors as other, by kind', async () => {
    const outcomes: Outcome[] = [{ status: 503, ms: 1 }, { error: 'ECONNRESET', ms: 1 }, { status: 403, ms: 1 }, { status: 302, ms: 1 }];
    const { sender } = fakeSender((index) => ({ outcome: outcomes[index % 4]!, afterMs: 1 }));
    const { summary } = await run({ phases: phases(4, 0, 0, 1) }, sender);
    expect(summary.total).toMatchObject({ sent: 4, ok: 1, other: 3, otherKinds: { 'status 503': 1, ECONNRESET: 1, 'status 403': 1 } });
  });

  it('stops sending after max-requests', async () => {
    const { sender, stats } = fakeSender(() => ({ outcome: { status: 200, ms: 10 }, afterMs: 10 }));
    const { summary } = await run({ maxRequests: 15 }, sender);
    expect(stats().sent).toBe(15);
    expect(summary).toMatchObject({ stopReason: 'max-requests', total: { sent: 15, ok: 15 } });
    // Due at 1.4 s; the run ends once that answer is in, not after the 6 s of phases.
    expect(summary.elapsedMs).toBe(1410);
  });

  it('stops at max-seconds and aborts what is still in flight', async () => {
    const { sender, stats } = fakeSender(() => ({ outcome: { status: 200, ms: 2550 }, afterMs: 2550 }));
    const { seconds, summary } = await run({ maxSeconds: 3 }, sender);
    expect(summary.stopReason).toBe('max-seconds');
    expect(summary.elapsedMs).toBe(3000);
    expect(seconds).toHaveLength(3);
    expect(stats().inFlight).toBe(0);
    // Sent in 3 s: 20 base + 50 spike; answered: those sent before 0.45 s; the rest aborted.
    expect(summary.total).toMatchObject({ sent: 70, ok: 5, other: 65, otherKinds: { aborted: 65 } });
  });

  it('gives up draining at max-seconds too', async () => {
    const { sender } = fakeSender(() => ({ outcome: { status: 200, ms: 60_000 }, afterMs: 60_000 }));
    const { summary } = await run({ phases: phases(2, 0, 0, 1), maxSeconds: 5 }, sender);
    expect(summary).toMatchObject({ stopReason: 'max-seconds', elapsedMs: 5000, total: { sent: 2, other: 2 } });
  });

  it('stops when aborted and still reports the summary', async () => {
    const { sender } = fakeSender(() => ({ outcome: { status: 200, ms: 10 }, afterMs: 10 }));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 2500);
    const { summary } = await run({}, sender, stop.signal);
    expect(summary).toMatchObject({ stopReason: 'interrupted', elapsedMs: 2500 });
    expect(summary.total.sent).toBe(20 + 25);
  });
});

describe('runLoad on a stalled event loop', () => {
  it('still sends every request due before the end (it catches up, never drops)', async () => {
    const { sender } = fakeSender(() => ({ outcome: { status: 200, ms: 1 }, afterMs: 1 }));
    const seconds: SecondEvent[] = [];
    const summary = await runLoad(
      { url: 'http://127.0.0.1:1/', session: 's1', phases: [{ name: 'base', rps: 10, seconds: 2 }], concurrency: 100, maxRequests: 100, maxSeconds: 10 },
      {
        sender,
        report: (event) => {
          if (event.type !== 'second') return;
          seconds.push(event);
          // Block the loop past the end of the run, as a busy machine (or a slow terminal) might.
          const until = performance.now() + 1200;
          while (performance.now() < until);
        },
      },
    );
    expect(summary).toMatchObject({ stopReason: 'completed', total: { sent: 20, ok: 20, skipped: 0 } });
    expect(seconds.reduce((sum, second) => sum + second.sent, 0)).toBe(20);
    // Each line took 1.2 s to write, yet the run ended (bounded by its own clock, not the sink's).
    expect(summary.elapsedMs).toBeLessThan(10_000);
  });
});
