import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ProfileInput } from '@downspin/protocol';
import { ProfileSchema } from '@downspin/protocol';
import { Verdict } from '../effects/index.js';
import { DEFAULT_ABUSE_GUARD } from '../options.js';
import { SessionRuntime } from '../session/runtime.js';
import { decide, GateDecision } from './gates.js';
import { decideMessage, messageDecision } from './messages.js';

const logger = pino({ level: 'silent' });

function session(profile: ProfileInput): SessionRuntime {
  const s = new SessionRuntime('messages-test');
  s.applyShaping({ version: 1, state: { mode: 'profile', profile: ProfileSchema.parse(profile) } });
  return s;
}

function requestDelay(s: SessionRuntime): GateDecision {
  const decision = new GateDecision(performance.now(), Date.now());
  decide(decision, s, 'localhost', '/', DEFAULT_ABUSE_GUARD, logger);
  return decision;
}

function messageDelays(s: SessionRuntime, count: number): number[] {
  const decision = messageDecision(s);
  const delays: number[] = [];
  for (let i = 0; i < count; i++) {
    decideMessage(decision, s, 'localhost', '/', DEFAULT_ABUSE_GUARD, logger);
    delays.push(decision.delayMs);
  }
  return delays;
}

describe('per-message decisions (latency is a round trip)', () => {
  it('gives a request the whole latency and each message of an echo half, so the echo waits it once', () => {
    expect(requestDelay(session({ latency: { ms: 300 } })).delayMs).toBe(300);
    const [there, back] = messageDelays(session({ latency: { ms: 300 } }), 2);
    expect(there).toBe(150);
    expect(there! + back!).toBe(300);
  });

  it('draws jittered latency from the same stream as requests: each message gets half of the draw', () => {
    const profile = { latency: { ms: 200, jitterMs: 150, distribution: 'pareto' as const }, seed: 42 };
    const requests = session(profile);
    const drawn = Array.from({ length: 20 }, () => requestDelay(requests).delayMs);
    expect(new Set(drawn).size).toBeGreaterThan(10);
    expect(messageDelays(session(profile), 20)).toEqual(drawn.map((d) => d / 2));
  });

  it('charges the connection set-up cost to the handshake, never to a message', () => {
    const s = session({ connection: { setupMs: 2000 } });
    const handshake = new GateDecision(performance.now(), Date.now());
    handshake.newConnection = true;
    decide(handshake, s, 'localhost', '/', DEFAULT_ABUSE_GUARD, logger);
    expect(handshake.delayMs).toBe(2000);
    expect(messageDelays(s, 3)).toEqual([0, 0, 0]);
  });

  it('leaves rate limits, failFirst and error statuses to requests; reset and timeout apply to messages', () => {
    const limited = session({ rateLimit: { rps: 1, burst: 1 }, faults: { failFirst: 3, errorRate: 1, status: 503 } });
    const decision = messageDecision(limited);
    for (let i = 0; i < 10; i++) {
      decideMessage(decision, limited, 'localhost', '/', DEFAULT_ABUSE_GUARD, logger);
      expect(decision.verdict).toBe(Verdict.Forward);
    }
    expect(limited.violations).toBe(0);
    const reset = session({ faults: { resetRate: 1 } });
    decideMessage(decision, reset, 'localhost', '/', DEFAULT_ABUSE_GUARD, logger);
    expect(decision.verdict).toBe(Verdict.Reset);
    const held = session({ faults: { timeoutRate: 1 } });
    decideMessage(decision, held, 'localhost', '/', DEFAULT_ABUSE_GUARD, logger);
    expect(decision.verdict).toBe(Verdict.Hold);
  });

  it('refuses every message of a terminated session', () => {
    const s = new SessionRuntime('gone');
    s.applyShaping({ version: 1, state: { mode: 'terminated', reason: 'bye' } });
    const decision = messageDecision(s);
    decideMessage(decision, s, 'localhost', '/', DEFAULT_ABUSE_GUARD, logger);
    expect(decision.verdict).toBe(Verdict.Respond);
    expect(decision.fault).toBe('terminated');
  });
});
