import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSessionStoreContract } from './contract.js';
import { createPgliteStore } from './factories.js';

describeSessionStoreContract('pglite (in memory)', ({ migrated }) => createPgliteStore({ migrate: migrated }));

describe('createPgliteStore with a data directory', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps sessions and versions across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'downspin-pglite-'));
    dirs.push(dir);
    const dataDir = join(dir, 'sessions');
    const first = await createPgliteStore({ dataDir });
    await first.applyShaping({ sessionId: 's1', state: { mode: 'downspin', latencyMs: 300 }, command: { kind: 'downspin', body: {} } });
    await first.close();

    const second = await createPgliteStore({ dataDir, migrate: false });
    try {
      expect(await second.getShaping('s1')).toMatchObject({ version: 1, state: { mode: 'downspin', latencyMs: 300 } });
      expect((await second.health()).detail).toContain(dataDir);
      const next = await second.applyShaping({ sessionId: 's1', state: { mode: 'upspin' }, command: { kind: 'upspin', body: {} } });
      expect(next.version).toBe(2);
    } finally {
      await second.close();
    }
  });
});
