import { randomBytes } from 'node:crypto';
import { ScenarioShapingSchema } from '@downspin/protocol';
import { expect, it } from 'vitest';
import type { SessionStore } from './store.js';

/**
 * The scenario half of the `SessionStore` contract; `describeSessionStoreContract`
 * runs it on the store it shares. Names are unique per test.
 */
export function scenarioContract(store: () => SessionStore): void {
  const uniqueName = (label: string): string => `${label} ${randomBytes(4).toString('hex')}`;
  const latency = (ms: number) => ScenarioShapingSchema.parse({ profile: { latency: { ms } } });
  const tunnel = ScenarioShapingSchema.parse({ steps: [{ atMs: 0, preset: 'fast-3g' }, { atMs: 3000, profile: { faults: { errorRate: 1 } } }] });

  it('saves a scenario at version 1 and each save after at version + 1, keeping what was asked', async () => {
    const name = uniqueName('checkout outage');
    expect(await store().getScenario(name)).toBeUndefined();
    const first = await store().putScenario({ name, description: 'payments 503', shaping: latency(300), updatedBy: 'dashboard' });
    expect(first).toMatchObject({ name, version: 1, description: 'payments 503', shaping: latency(300), updatedBy: 'dashboard' });
    expect(Math.abs(first.updatedAt - Date.now())).toBeLessThan(60_000);

    const second = await store().putScenario({ name, description: 'now a timeline', shaping: tunnel, updatedBy: 'cli (ana)' });
    expect(second).toMatchObject({ version: 2, description: 'now a timeline', shaping: tunnel, updatedBy: 'cli (ana)' });
    expect(await store().getScenario(name)).toEqual(second);
  });

  it('gives concurrent saves of one name distinct, consecutive versions', async () => {
    const name = uniqueName('race');
    const saved = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store().putScenario({ name, description: '', shaping: latency(i), updatedBy: `t${i}` })),
    );
    expect(saved.map((s) => s.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const last = saved.find((s) => s.version === 6)!;
    expect((await store().getScenario(name))?.shaping).toEqual(last.shaping);
  });

  it('lists scenarios by name and deletes one, answering it as it was', async () => {
    const b = uniqueName('zz-b');
    const a = b.replace('zz-b', 'zz-a');
    await store().putScenario({ name: b, description: '', shaping: tunnel, updatedBy: 'x' });
    await store().putScenario({ name: a, description: '', shaping: latency(1), updatedBy: 'x' });
    const names = (await store().listScenarios()).map((s) => s.name);
    expect(names.indexOf(a)).toBeGreaterThanOrEqual(0);
    expect(names.indexOf(a)).toBeLessThan(names.indexOf(b));

    expect(await store().deleteScenario(b)).toMatchObject({ name: b, version: 1, shaping: tunnel });
    expect(await store().getScenario(b)).toBeUndefined();
    expect(await store().deleteScenario(b)).toBeUndefined();
    expect((await store().listScenarios()).map((s) => s.name)).not.toContain(b);
    // A new scenario under a deleted name starts again from version 1.
    expect((await store().putScenario({ name: b, description: '', shaping: tunnel, updatedBy: 'x' })).version).toBe(1);
  });

  it('keeps a name exactly as given: another case is another scenario', async () => {
    const name = uniqueName('Flaky 4G');
    await store().putScenario({ name, description: '', shaping: latency(5), updatedBy: 'x' });
    expect(await store().getScenario(name.toLowerCase())).toBeUndefined();
  });
}
