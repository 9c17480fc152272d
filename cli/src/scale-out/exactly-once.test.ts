import { randomBytes } from 'node:crypto';
import type { ApplyResult } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedOf, inParallel, runningIds, untilConverged, untilLive, versionsBySession } from './api.js';
import { startScaleOutStack, type ScaleOutStack } from './stack.js';

const COMMANDS = 1000;
const SESSIONS = 50;
const IN_FLIGHT = 10;
/** Sessions shaped before the proxies start: their start-up reload applies one version each. */
const SEEDED = 5;

const tag = randomBytes(4).toString('hex');
const burstSessions = Array.from({ length: SESSIONS }, (_, i) => `burst-${i}-${tag}`);

/**
 * The i-th command. The first SESSIONS calls create one session each (10 in
 * flight, all different sessions); after that, runs of 3 consecutive calls
 * share a session, so with 10 in flight a session gets concurrent changes.
 * (Not concurrent *first* changes of one new session: on PostgreSQL those
 * can fail today, deadlock or duplicate `sessions_hash_key`, since the
 * upsert in SqlSessionStore.applyShaping arbitrates on `id` only.)
 */
function command(i: number): { method: string; path: string; body?: unknown; session: string } {
  const session = burstSessions[i < SESSIONS ? i : Math.floor((i - SESSIONS) / 3) % SESSIONS]!;
  const base = `/admin/sessions/${session}`;
  switch (i % 4) {
    case 0:
      return { method: 'POST', path: `${base}/downspin`, body: { latency_ms: i % 300 }, session };
    case 1:
      return { method: 'PUT', path: `${base}/profile`, body: { profile: { latency: { ms: i % 200 }, rateLimit: { rps: 50, burst: 100 } } }, session };
    case 2:
      return { method: 'PUT', path: `${base}/profile`, body: { preset: 'fast-3g' }, session };
    default:
      return { method: 'POST', path: `${base}/upspin`, session };
  }
}

/**
 * 1,000 shaping calls through the API (50 sessions, 10 in flight) reach two
 * proxies exactly once each: every version the store assigned is applied
 * once by every proxy, none twice, none lost, and both end on the store's state.
 */
describe('scale-out: 1,000 commands applied exactly once', () => {
  let stack: ScaleOutStack;
  const startupApplied = new Map<string, number>();

  beforeAll(async () => {
    stack = await startScaleOutStack({
      label: 'exactly_once',
      proxies: 2,
      seed: async (store) => {
        for (let i = 0; i < SEEDED; i++) {
          for (let v = 0; v <= i % 2; v++) {
            await store.applyShaping({ sessionId: `seed-${i}-${tag}`, state: { mode: 'downspin', latencyMs: 10 }, command: { kind: 'downspin', body: {} } });
          }
        }
      },
    });
    await untilLive(stack);
    for (const proxy of stack.proxies) startupApplied.set(proxy.id, proxy.proxy.stats().shaping.applied);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('every proxy applies each stored version once: applied − start-up = versions assigned, stale 0, same final state', { timeout: 180_000 }, async () => {
    // The start-up reload applied the latest version of each seeded session, once.
    for (const proxy of stack.proxies) {
      expect(proxy.proxy.stats().shaping).toEqual({ applied: SEEDED, stale: 0, reloads: 1 });
    }

    const answers: { session: string; applied: ApplyResult }[] = await inParallel(COMMANDS, IN_FLIGHT, async (i) => {
      const { method, path, body, session } = command(i);
      return { session, applied: appliedOf(await stack.admin(method, path, body)) };
    });

    // The API waited for exactly the two proxies every time. (Whether each ack beat the 1 s timeout
    // depends on how starved the machine is; delivery itself is checked below, by counts.)
    const both = runningIds(stack).join();
    const waitedForOthers = answers.filter(({ applied }) => [...applied.appliedBy, ...applied.pending].sort().join() !== both);
    expect(waitedForOthers).toEqual([]);
    // The store gave each session distinct, consecutive versions: 1,000 in all.
    const stored = await versionsBySession(stack);
    let assigned = 0;
    for (const session of burstSessions) {
      const versions = answers.filter((a) => a.session === session).map((a) => a.applied.version).sort((x, y) => x - y);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      expect(stored[session]).toBe(versions.length);
      assigned += stored[session]!;
    }
    expect(assigned).toBe(COMMANDS);

    await untilConverged(stack, 10_000);
    for (const proxy of stack.proxies) {
      const { applied, stale, reloads } = proxy.proxy.stats().shaping;
      expect({ proxy: proxy.id, applied: applied - startupApplied.get(proxy.id)!, stale, reloads }).toEqual({
        proxy: proxy.id,
        applied: assigned,
        stale: 0,
        reloads: 1,
      });
    }
  });
});
