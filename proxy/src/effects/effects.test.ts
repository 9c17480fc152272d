import { describe, expect, it } from 'vitest';
import { MAX_LATENCY_MS, ProfileSchema } from '@downspin/protocol';
import { GateDecision } from '../shaping/gates.js';
import { randomStream } from '../shaping/random.js';
import { ShapingPlan } from '../shaping/plan.js';
import { TruncatingStream } from '../pacing/truncating-stream.js';
import type { RandomGenerator } from '../shaping/random.js';
import { ConnectionEffect } from './connection.js';
import { TruncateEffect } from './truncate.js';
import { LatencyEffect } from './latency.js';
import { RateLimitEffect } from './rate-limit.js';
import { Verdict } from './effect.js';

const stream = (seed: number) => randomStream(seed, 'latency');

describe('latency distributions', () => {
  it('uniform stays within ms ± jitter', () => {
    const effect = new LatencyEffect({ ms: 100, jitterMs: 30, distribution: 'uniform' });
    const random = stream(1);
    for (let i = 0; i < 1000; i++) {
      const d = effect.sample(random);
      expect(d).toBeGreaterThanOrEqual(70);
      expect(d).toBeLessThanOrEqual(130);
    }
  });

  it('normal has the requested spread and is never negative', () => {
    const effect = new LatencyEffect({ ms: 10, jitterMs: 50, distribution: 'normal' });
    const random = stream(2);
    const samples = Array.from({ length: 4000 }, () => effect.sample(random));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    const wide = new LatencyEffect({ ms: 1000, jitterMs: 50, distribution: 'normal' });
    const values = Array.from({ length: 4000 }, () => wide.sample(random));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean).toBeGreaterThan(990);
    expect(mean).toBeLessThan(1010);
    expect(sd).toBeGreaterThan(45);
    expect(sd).toBeLessThan(55);
  });

  it('pareto only adds a long tail above ms', () => {
    const effect = new LatencyEffect({ ms: 100, jitterMs: 20, distribution: 'pareto' });
    const random = stream(3);
    const samples = Array.from({ length: 4000 }, () => effect.sample(random)).sort((a, b) => a - b);
    expect(samples[0]!).toBeGreaterThanOrEqual(100);
    const median = samples[2000]! - 100;
    const p99 = samples[3960]! - 100;
    // Heavy tail: p99 of the extra delay is many times its median.
    expect(p99 / median).toBeGreaterThan(8);
  });
});

describe('plans', () => {
  it('are labelled with the protocol words for their profile', () => {
    const profile = ProfileSchema.parse({
      latency: { ms: 400, jitterMs: 100 },
      bandwidth: { downKbps: 750, upKbps: 250 },
      rateLimit: { rps: 5, burst: 10 },
      faults: { errorRate: 0.1, status: 503, resetRate: 0.02 },
      routes: ['/api/**'],
    });
    expect(new ShapingPlan(profile).label).toBe(
      'latency 400±100 ms uniform, bandwidth ↓750 kbps ↑250 kbps, rate limit 5 rps, burst 10, faults 10% 503, 2% reset on /api/**',
    );
    expect(new ShapingPlan(ProfileSchema.parse({})).label).toBe('no shaping');
  });

  it('give each effect its own random stream, so adding latency keeps the fault draws', () => {
    const draws = (profile: object): number[] => {
      const plan = new ShapingPlan(ProfileSchema.parse({ ...profile, seed: 9 }));
      const states = plan.createStates();
      const faultsIndex = plan.effects.findIndex((e) => e.type === 'faults');
      const state = states[faultsIndex] as { random: { next(): number } };
      return [state.random.next(), state.random.next(), state.random.next()];
    };
    const faults = { faults: { errorRate: 0.5 } };
    expect(draws({ ...faults, latency: { ms: 10, jitterMs: 5 } })).toEqual(draws(faults));
  });
});

describe('connection set-up cost', () => {
  const decided = (newConnection: boolean, message = false, delayMs = 0): GateDecision => {
    const decision = new GateDecision(0, 0);
    decision.newConnection = newConnection;
    decision.message = message;
    decision.delayMs = delayMs;
    return decision;
  };

  it('adds setupMs to the first request of a connection only, after the latency it already has', () => {
    const effect = new ConnectionEffect({ setupMs: 300 });
    const first = decided(true, false, 100);
    effect.gate(first);
    expect(first.delayMs).toBe(400);
    const later = decided(false, false, 100);
    effect.gate(later);
    expect(later.delayMs).toBe(100);
  });

  it('never charges a WebSocket message, even on a decision reused from the handshake', () => {
    const decision = decided(true);
    decision.reset(1, 1);
    decision.message = true;
    new ConnectionEffect({ setupMs: 300 }).gate(decision);
    expect(decision.delayMs).toBe(0);
  });

  it('caps the sum at the most delay a request may be given', () => {
    const decision = decided(true, false, MAX_LATENCY_MS - 10);
    new ConnectionEffect({ setupMs: 60_000 }).gate(decision);
    expect(decision.delayMs).toBe(MAX_LATENCY_MS);
  });

  it('is built from a profile, runs after latency, and is labelled', () => {
    const plan = new ShapingPlan(ProfileSchema.parse({ connection: { setupMs: 250 }, latency: { ms: 50 } }));
    expect(plan.gates.map((gate) => gate.type)).toEqual(['latency', 'connection']);
    expect(plan.label).toBe('latency 50 ms, connection set-up 250 ms');
  });
});

describe('truncated body', () => {
  it('draws once per forwarded request, never for a message or a refused request', () => {
    const effect = new TruncateEffect({ rate: 1, afterBytes: 64 });
    const random = randomStream(5, 'truncate');
    let draws = 0;
    const counted: RandomGenerator = { next: () => (draws++, random.next()) };
    const forwarded = new GateDecision(0, 0);
    effect.gate(forwarded, counted);
    expect(forwarded.truncateAfterBytes).toBe(64);
    const message = new GateDecision(0, 0);
    message.message = true;
    effect.gate(message, counted);
    const refused = new GateDecision(0, 0);
    refused.respond(503, 'error');
    effect.gate(refused, counted);
    expect([message.truncateAfterBytes, refused.truncateAfterBytes, draws]).toEqual([-1, -1, 1]);
  });

  it('cuts at the rate asked, and never at rate 0', () => {
    const random = randomStream(9, 'truncate');
    const cuts = (rate: number): number => {
      const effect = new TruncateEffect({ rate, afterBytes: 1 });
      let n = 0;
      for (let i = 0; i < 4000; i++) {
        const decision = new GateDecision(0, 0);
        effect.gate(decision, random);
        if (decision.truncateAfterBytes === 1) n++;
      }
      return n;
    };
    expect(cuts(0)).toBe(0);
    expect(cuts(0.25)).toBeGreaterThan(900);
    expect(cuts(0.25)).toBeLessThan(1100);
  });
});

describe('TruncatingStream', () => {
  it('passes exactly the limit across chunk boundaries, then ends and says so', async () => {
    const cut = new TruncatingStream(10);
    const out: Buffer[] = [];
    cut.on('data', (chunk: Buffer) => out.push(chunk));
    const ended = new Promise((resolve) => cut.once('end', resolve));
    cut.write(Buffer.from('abcd'));
    cut.write(Buffer.from('efghijklmn'));
    cut.write(Buffer.from('more'));
    await ended;
    expect(Buffer.concat(out).toString()).toBe('abcdefghij');
    expect(cut.truncated).toBe(true);
  });

  it('passes a shorter body whole and is not truncated', async () => {
    const cut = new TruncatingStream(10);
    const out: Buffer[] = [];
    cut.on('data', (chunk: Buffer) => out.push(chunk));
    const ended = new Promise((resolve) => cut.once('end', resolve));
    cut.end(Buffer.from('short'));
    await ended;
    expect(Buffer.concat(out).toString()).toBe('short');
    expect(cut.truncated).toBe(false);
  });
});

describe('rate limit', () => {
  const settings = ProfileSchema.parse({ rateLimit: { rps: 0.01, burst: 1 } }).rateLimit!;

  it('takes the first request in full when its bucket was made after the request arrived (a parked session woken by it)', () => {
    const effect = new RateLimitEffect(settings);
    const arrived = performance.now() - 50;
    const bucket = effect.createState();
    const first = new GateDecision(arrived, Date.now());
    effect.gate(first, bucket);
    expect(first.verdict).toBe(Verdict.Forward);
    const second = new GateDecision(arrived + 1, Date.now());
    effect.gate(second, bucket);
    expect([second.verdict, second.status]).toEqual([Verdict.Respond, 429]);
  });
});
