import { randomBytes } from 'node:crypto';
import type { ApplyResult } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '@downspin/testing';
import { appliedOf, errorCodeOf, health, inParallel, until, runningIds, untilAcknowledgedByAll, untilConverged, untilLive, versionsBySession } from './api.js';
import { startScaleOutStack, type ProxyNode, type ScaleOutStack } from './stack.js';

const newIds = (label: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${label}-${i}-${randomBytes(5).toString('hex')}`);

/**
 * Scale-out with a proxy's Redis link lost while commands keep coming: the
 * API answers without the cut proxy, and after the link comes back every
 * proxy converges on the stored state by itself (reload on reconnect), with
 * nothing restarted.
 */
describe('scale-out: a proxy loses Redis while commands are sent', () => {
  let stack: ScaleOutStack;
  let a: ProxyNode;
  let b: ProxyNode;

  beforeAll(async () => {
    stack = await startScaleOutStack({ label: 'outage', proxies: 2 });
    [a, b] = stack.proxies as [ProxyNode, ProxyNode];
    await untilLive(stack);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const downspin = (id: string, ms: number) => stack.admin('POST', `/admin/sessions/${id}/downspin`, { latency_ms: ms });

  it('cut (connection refused): answers name the cut proxy in pending, and it catches up after reconnecting', async () => {
    const sessions = newIds('cut', 8);
    for (const id of sessions) appliedOf(await downspin(id, 100));
    await untilConverged(stack);
    const startedAt = a.proxy.stats().startedAt;
    const reloadsBefore = a.proxy.stats().shaping.reloads;

    a.relay.cut();
    await until(() => expect(a.bus.status()).toMatchObject({ ok: false, detail: expect.stringMatching(/^reconnecting/) }));

    // 24 commands, 4 at a time, over the 8 sessions (so some hit one session concurrently).
    const answers: ApplyResult[] = await inParallel(24, 4, async (i) => appliedOf(await downspin(sessions[i % 8]!, 200 + i)));
    // The first ones were sent while the cut proxy still counted as live (presence within 3 s): it is named as pending.
    expect(answers[0]).toMatchObject({ acknowledged: false, appliedBy: [b.id], pending: [a.id] });
    for (const answer of answers) {
      expect(answer.appliedBy).toEqual([b.id]);
      expect(answer.pending).not.toContain(b.id);
      // Once its presence expired, the API stops waiting for it: acknowledged by the live one.
      expect(answer.acknowledged).toBe(answer.pending.length === 0);
    }
    const stored = await versionsBySession(stack);
    for (const id of sessions) expect(stored[id]).toBe(4); // 1 before + 3 each during the cut
    expect(b.versions(sessions)).toEqual(Object.fromEntries(sessions.map((id) => [id, 4])));
    expect(a.versions(sessions)).toEqual(Object.fromEntries(sessions.map((id) => [id, 1])));

    a.relay.restore();
    await untilConverged(stack, 20_000);
    expect(a.proxy.stats().startedAt).toBe(startedAt); // the same proxy, not a restart
    expect(a.proxy.stats().shaping.reloads).toBeGreaterThan(reloadsBefore);

    // Back in the fleet: commands are acknowledged by both again.
    await untilLive(stack);
    const next = await untilAcknowledgedByAll(stack, () => downspin(sessions[0]!, 50));
    expect(next.version).toBeGreaterThanOrEqual(5);
    await untilConverged(stack);
  });

  it('freeze (a silent partition of both proxies): unanswered commands reveal it, and both converge after the link returns', async () => {
    const sessions = newIds('frozen', 6);
    for (const id of sessions) appliedOf(await downspin(id, 100));
    await untilConverged(stack);
    const reloadsBefore = stack.proxies.map((p) => p.proxy.stats().shaping.reloads);

    a.relay.freeze();
    b.relay.freeze();
    // Keep sending while the proxies have not yet noticed (their messages sit in frozen sockets) and after.
    let sent = 0;
    const answers: ApplyResult[] = [];
    const bothDown = (): boolean => !a.bus.status().ok && !b.bus.status().ok;
    await until(async () => {
      answers.push(appliedOf(await downspin(sessions[sent % sessions.length]!, 300 + sent)));
      sent++;
      if (!bothDown()) throw new Error('a proxy has not noticed the partition yet');
    }, 25_000);
    for (const id of sessions) answers.push(appliedOf(await downspin(id, 700)));
    // No proxy applied anything during the partition.
    for (const answer of answers) expect(answer.appliedBy).toEqual([]);
    expect(answers[0]).toMatchObject({ acknowledged: false, pending: expect.arrayContaining([a.id, b.id]) });

    a.relay.restore();
    b.relay.restore();
    await untilConverged(stack, 20_000);
    // Messages held in a frozen socket may arrive once it thaws, but a dropped connection always means a reload too.
    await until(() => {
      for (const [i, proxy] of stack.proxies.entries()) expect(proxy.proxy.stats().shaping.reloads).toBeGreaterThan(reloadsBefore[i]!);
    });
    await untilLive(stack);
    for (const proxy of stack.proxies) {
      const res = await proxy.get(sessions[0]!);
      expect(res.status).toBe(200);
      expect(res.ms, `${proxy.id} serves the latest stored shaping`).toBeGreaterThanOrEqual(698);
    }
  });

  it('Redis lost by everyone: /health says degraded (bus reconnecting), proxies keep shaping with what they had, all recovers', async () => {
    const [slow, fast] = newIds('keep', 2) as [string, string];
    const shaped = appliedOf(await downspin(slow, 1000));
    expect([...shaped.appliedBy].sort()).toEqual(runningIds(stack));
    expect((await health(stack)).status).toBe(200);

    for (const relay of [stack.control.relay, a.relay, b.relay]) relay.cut();
    const degraded = await until(async () => {
      const now = await health(stack);
      expect(now.status).toBe(503);
      return now.body;
    });
    expect(degraded.status).toBe('degraded');
    expect(degraded.dependencies.bus).toMatchObject({ ok: false, detail: expect.stringMatching(/^reconnecting/) });
    expect(degraded.dependencies.store.ok).toBe(true);

    // Traffic still flows through both proxies, shaped as last known.
    for (const proxy of stack.proxies) {
      const own = await request(`${proxy.proxy.url}/__downspin/health`);
      expect(JSON.parse(own.body.toString())).toMatchObject({ ok: true, bus: { ok: false } });
      const shapedRes = await proxy.get(slow);
      const plain = await proxy.get(fast);
      expect([shapedRes.status, plain.status]).toEqual([200, 200]);
      expect(shapedRes.ms, `${proxy.id}: shaped while Redis is cut`).toBeGreaterThanOrEqual(998);
      expect(plain.ms, `${proxy.id}: unshaped while Redis is cut`).toBeLessThan(shapedRes.ms - 500);
    }
    // A command now is refused, and nothing is stored half-done.
    const refused = await downspin(slow, 900);
    expect(refused.status).toBe(503);
    expect(errorCodeOf(refused)).toBe('bus_unavailable');
    expect((await versionsBySession(stack))[slow]).toBe(1);

    for (const relay of [stack.control.relay, a.relay, b.relay]) relay.restore();
    const recovered = await until(async () => {
      const now = await health(stack);
      expect(now.status).toBe(200);
      expect(now.body.dependencies.proxies.live).toEqual(runningIds(stack));
      return now.body;
    }, 20_000);
    expect(recovered).toMatchObject({ status: 'ok', dependencies: { bus: { ok: true }, store: { ok: true } } });
    // Presence travels on a proxy's publishing connection; commands need its subscription back too, which its own health shows.
    await until(async () => {
      for (const proxy of stack.proxies) {
        const own = await request(`${proxy.proxy.url}/__downspin/health`);
        expect(JSON.parse(own.body.toString()), proxy.id).toMatchObject({ bus: { ok: true } });
      }
    }, 20_000);
    const lifted = await untilAcknowledgedByAll(stack, () => stack.admin('POST', `/admin/sessions/${slow}/upspin`));
    expect(lifted.version).toBeGreaterThanOrEqual(2);
    await untilConverged(stack);
    for (const proxy of stack.proxies) expect((await proxy.get(slow)).ms, `${proxy.id}: lifted`).toBeLessThan(500);
  });
});
