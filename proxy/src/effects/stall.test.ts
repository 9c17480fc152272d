import { afterEach, describe, expect, it, vi } from 'vitest';
import { StallingStream } from '../pacing/stalling-stream.js';
import { GateDecision } from '../shaping/gates.js';
import { randomStream, type RandomGenerator } from '../shaping/random.js';
import { StallEffect } from './stall.js';

describe('mid-body stall', () => {
  it('draws once per forwarded request, never for a message or a refused request', () => {
    const effect = new StallEffect({ rate: 1, afterBytes: 64, ms: 3000 });
    const random = randomStream(5, 'stall');
    let draws = 0;
    const counted: RandomGenerator = { next: () => (draws++, random.next()) };
    const forwarded = new GateDecision(0, 0);
    effect.gate(forwarded, counted);
    expect([forwarded.stallAfterBytes, forwarded.stallMs]).toEqual([64, 3000]);
    const message = new GateDecision(0, 0);
    message.message = true;
    effect.gate(message, counted);
    const refused = new GateDecision(0, 0);
    refused.respond(503, 'error');
    effect.gate(refused, counted);
    expect([message.stallAfterBytes, refused.stallAfterBytes, draws]).toEqual([-1, -1, 1]);
  });

  it('stalls at the rate asked, and never at rate 0', () => {
    const random = randomStream(9, 'stall');
    const stalls = (rate: number): number => {
      const effect = new StallEffect({ rate, afterBytes: 1, ms: 10 });
      let n = 0;
      for (let i = 0; i < 4000; i++) {
        const decision = new GateDecision(0, 0);
        effect.gate(decision, random);
        if (decision.stallAfterBytes === 1) n++;
      }
      return n;
    };
    expect(stalls(0)).toBe(0);
    expect(stalls(0.25)).toBeGreaterThan(900);
    expect(stalls(0.25)).toBeLessThan(1100);
  });
});

describe('StallingStream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Collects what the stream lets out, with the fake time each piece came out at. */
  function collect(stream: StallingStream): { text: () => string; at: [number, string][] } {
    const at: [number, string][] = [];
    stream.on('data', (chunk: Buffer) => at.push([Date.now(), chunk.toString()]));
    return { text: () => at.map(([, s]) => s).join(''), at };
  }

  it('passes exactly `after` bytes across chunk boundaries, holds the rest for `ms`, then all of it', async () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const stall = new StallingStream(6, 500);
    const out = collect(stall);
    stall.write(Buffer.from('abcd'));
    stall.write(Buffer.from('efgh'));
    stall.end(Buffer.from('ijkl'));
    await vi.advanceTimersByTimeAsync(499);
    expect(out.text()).toBe('abcdef');
    expect(stall.stalled).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await vi.runAllTimersAsync();
    expect(out.text()).toBe('abcdefghijkl');
    expect(out.at.filter(([t]) => t >= 500).map(([, s]) => s).join('')).toBe('ghijkl');
  });

  it('passes a body no longer than `after` whole, without stalling', async () => {
    const stall = new StallingStream(10, 60_000);
    const out = collect(stall);
    const ended = new Promise((resolve) => stall.once('end', resolve));
    stall.end(Buffer.from('short'));
    await ended;
    expect(out.text()).toBe('short');
    expect(stall.stalled).toBe(false);
  });

  it('clears its timer when destroyed mid-stall (a client that gave up)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stall = new StallingStream(0, 60_000);
    stall.on('data', () => undefined);
    stall.write(Buffer.from('held'));
    expect(vi.getTimerCount()).toBe(1);
    stall.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });
});
