import { randomBytes } from 'node:crypto';
import type { ApplyResult } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedOf, runningIds, untilLive } from './api.js';
import { startScaleOutStack, type ProxyNode, type ScaleOutStack } from './stack.js';

const newId = (label: string): string => `${label}-${randomBytes(6).toString('hex')}`;
/** A timer never fires early, but the two clocks may differ by a rounding: allow 2 ms. */
const AT_LEAST = (ms: number): number => ms - 2;
/** Large enough that an unshaped request on a starved machine never looks shaped: they must differ by half of it. */
const SHAPED_MS = 1000;

/**
 * Scale-out: one control API and two proxies, each with its own RedisBus and
 * PostgreSQL store, assembled as `downspin control` / `downspin proxy` are. A
 * shaping call answers once both proxies applied it, and then requests
 * through either proxy are shaped.
 */
describe('scale-out: commands reach every proxy', () => {
  let stack: ScaleOutStack;
  /** `applied` with appliedBy sorted, to compare with `runningIds`. */
  const sortedApplied = (applied: ApplyResult): ApplyResult => ({ ...applied, appliedBy: [...applied.appliedBy].sort() });
  const byAll = (version: number): ApplyResult => ({ version, acknowledged: true, appliedBy: runningIds(stack), pending: [] });

  beforeAll(async () => {
    stack = await startScaleOutStack({ label: 'propagation', proxies: 2 });
    await untilLive(stack);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('acknowledges a downspin from both proxies, and requests through either are delayed; others are not', async () => {
    const shaped = newId('shaped');
    const bystander = newId('bystander');
    const applied = appliedOf(await stack.admin('POST', `/admin/sessions/${shaped}/downspin`, { latency_ms: SHAPED_MS }));
    expect(runningIds(stack)).toHaveLength(2);
    expect(sortedApplied(applied)).toEqual(byAll(1));

    for (const proxy of stack.proxies) {
      // Acknowledged means applied: no waiting here.
      expect(proxy.versions([shaped])).toEqual({ [shaped]: 1 });
      const slow = await proxy.get(shaped);
      const fast = await proxy.get(bystander);
      expect([slow.status, fast.status], proxy.id).toEqual([200, 200]);
      expect(slow.ms, `${proxy.id}: shaped request`).toBeGreaterThanOrEqual(AT_LEAST(SHAPED_MS));
      expect(fast.ms, `${proxy.id}: unshaped request`).toBeLessThan(slow.ms - SHAPED_MS / 2);
    }
  });

  it('applies a profile, then lifts it with upspin, on both proxies', async () => {
    const id = newId('profile');
    const profiled = appliedOf(await stack.admin('PUT', `/admin/sessions/${id}/profile`, { profile: { latency: { ms: SHAPED_MS } } }));
    expect(sortedApplied(profiled)).toEqual(byAll(1));
    const before = await Promise.all(stack.proxies.map((p) => p.get(id)));
    for (const res of before) expect(res.ms).toBeGreaterThanOrEqual(AT_LEAST(SHAPED_MS));

    const lifted = appliedOf(await stack.admin('POST', `/admin/sessions/${id}/upspin`));
    expect(sortedApplied(lifted)).toEqual(byAll(2));
    for (const [i, proxy] of stack.proxies.entries()) {
      const after = await proxy.get(id);
      expect(after.status).toBe(200);
      expect(after.ms, proxy.id).toBeLessThan(before[i]!.ms - SHAPED_MS / 2);
    }
  });

  it('a restarted proxy serves the stored shaping from its first request, and takes part in acks', async () => {
    const id = newId('restart');
    const shaped = appliedOf(await stack.admin('PUT', `/admin/sessions/${id}/profile`, { profile: { latency: { ms: SHAPED_MS } } }));
    expect(sortedApplied(shaped)).toEqual(byAll(1));

    const [old, stays] = stack.proxies as [ProxyNode, ProxyNode];
    await old.close();
    // It said goodbye on the bus: the API stops waiting for it at once.
    await untilLive(stack, [stays.id]);
    const restarted = await stack.addProxy();
    expect(restarted.id).not.toBe(old.id);
    expect(restarted.proxy.stats()).toMatchObject({ requestsTotal: 0, shapingLoaded: true });

    const first = await restarted.get(id);
    expect(first.status).toBe(200);
    expect(first.ms, 'the first request through the new proxy').toBeGreaterThanOrEqual(AT_LEAST(SHAPED_MS));
    expect(restarted.versions([id])).toEqual({ [id]: 1 });

    await untilLive(stack, [stays.id, restarted.id]);
    const lifted = appliedOf(await stack.admin('POST', `/admin/sessions/${id}/upspin`));
    expect(sortedApplied(lifted)).toEqual(byAll(2));
    expect(lifted.appliedBy).not.toContain(old.id);
    const after = await restarted.get(id);
    expect(after.ms).toBeLessThan(first.ms - SHAPED_MS / 2);
  });
});
