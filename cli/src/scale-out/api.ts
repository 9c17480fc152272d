import { ApplyResponseSchema, ErrorBodySchema, HealthResponseSchema, type ApplyResult, type HealthResponse } from '@downspin/protocol';
import { json, request, type TimedResponse } from '@downspin/testing';
import { vi } from 'vitest';
import type { ScaleOutStack } from './stack.js';

/** What the scale-out tests read from the control API, checked against the protocol's schemas. */

/** The `applied` part of a 200 shaping answer; anything else fails with the answer in the message. */
export function appliedOf(res: TimedResponse): ApplyResult {
  if (res.status !== 200) throw new Error(`shaping call answered ${res.status}: ${res.body.toString()}`);
  return ApplyResponseSchema.parse(json(res)).applied;
}

export function errorCodeOf(res: TimedResponse): string {
  return ErrorBodySchema.parse(json(res)).error.code;
}

export async function health(stack: ScaleOutStack): Promise<{ status: number; body: HealthResponse }> {
  const res = await request(`${stack.control.url}/health`);
  return { status: res.status, body: HealthResponseSchema.parse(json(res)) };
}

/** Waits for a condition with a deadline (sized for a busy 2-core machine), polling. */
export function until<T>(check: () => T | Promise<T>, timeoutMs = 15_000): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 25 });
}

/** Until the control API's /health lists exactly the running proxies (or these) as live. */
export async function untilLive(stack: ScaleOutStack, proxyIds: readonly string[] = stack.proxies.map((p) => p.id)): Promise<void> {
  const want = [...proxyIds].sort();
  await until(async () => {
    const { live } = (await health(stack)).body.dependencies.proxies;
    if (JSON.stringify(live) !== JSON.stringify(want)) throw new Error(`live proxies ${JSON.stringify(live)}, want ${JSON.stringify(want)}`);
  });
}

/** The ids of the running proxies, sorted (as `appliedBy` is compared). */
export const runningIds = (stack: ScaleOutStack): string[] => stack.proxies.map((p) => p.id).sort();

/** Runs `count` calls with at most `concurrency` in flight; results in call order. */
export async function inParallel<T>(count: number, concurrency: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await call(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** The stored version of every session, and what one proxy holds of each. */
export async function versionsBySession(stack: ScaleOutStack): Promise<Record<string, number>> {
  const stored = await stack.store.loadShaping();
  return Object.fromEntries(stored.map((s) => [s.sessionId, s.version]));
}

/**
 * Until every running proxy holds, for every session in the store, exactly
 * the stored version. Resolves to how long that took.
 */
export async function untilConverged(stack: ScaleOutStack, timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  await until(async () => {
    const stored = await versionsBySession(stack);
    const sessions = Object.keys(stored);
    for (const proxy of stack.proxies) {
      const held = proxy.versions(sessions);
      const behind = sessions.filter((id) => held[id] !== stored[id]);
      if (behind.length > 0) {
        throw new Error(`${proxy.id} differs from the store for ${behind.length} of ${sessions.length} sessions, e.g. ${behind[0]}: holds ${held[behind[0]!]}, stored ${stored[behind[0]!]}`);
      }
    }
  }, timeoutMs);
  return performance.now() - started;
}

/**
 * After an outage: repeats a shaping call until every running proxy
 * acknowledges it (a link that just came back may drop once more while it
 * settles, see bus/README), within the deadline. Resolves to the answer.
 */
export async function untilAcknowledgedByAll(stack: ScaleOutStack, call: () => Promise<TimedResponse>, timeoutMs = 20_000): Promise<ApplyResult> {
  const want = runningIds(stack).join();
  return until(async () => {
    const applied = appliedOf(await call());
    if (!applied.acknowledged || [...applied.appliedBy].sort().join() !== want) {
      throw new Error(`acknowledged by ${applied.appliedBy.join() || 'none'}, pending ${applied.pending.join() || 'none'}`);
    }
    return applied;
  }, timeoutMs);
}
