import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeSessionStoreContract } from '../contract.js';
import type { SessionStore } from '../store.js';
import { createPgliteWorkerStore, StoreBusyError, StoreWorkerError, workerOf } from './thread-store.js';

// The worker runs the built store (db/dist): build first (`npx tsc -b db`).
// A new in-memory store runs initdb in a new thread: 10–30 s on a busy 2-core machine, about twice
// what it takes in the test's own thread, which the contract's unmigrated case does within one test.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });
describeSessionStoreContract('pglite in a worker thread', ({ migrated }) => createPgliteWorkerStore({ migrate: migrated }));

describe('createPgliteWorkerStore', () => {
  // Opening runs initdb in WebAssembly (seconds on a busy machine): one store for the tests that
  // keep it working, one for the test that kills its worker.
  let store: SessionStore;
  let doomed: SessionStore;
  beforeAll(async () => {
    [store, doomed] = await Promise.all([createPgliteWorkerStore({ maxInFlight: 2 }), createPgliteWorkerStore()]);
  });
  afterAll(async () => {
    await Promise.all([store?.close(), doomed?.close()]);
  });

  it('hands back the very error a beforeCommit callback threw, and keeps nothing', async () => {
    class PublishFailed extends Error {}
    const thrown = new PublishFailed('bus down');
    const attempt = store.applyShaping(
      { sessionId: 'cb', state: { mode: 'upspin' }, command: { kind: 'upspin', body: {} } },
      { beforeCommit: () => Promise.reject(thrown) },
    );
    await expect(attempt).rejects.toBe(thrown);
    expect(await store.getShaping('cb')).toBeUndefined();
  });

  it('keeps PostgreSQL error codes across the thread', async () => {
    const error = await store
      .applyShaping({ sessionId: 'nul', state: { mode: 'terminated', reason: 'x\u0000' }, command: { kind: 'terminate', body: {} } })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
    expect(error).toBeInstanceOf(Error);
    expect(error?.code).toMatch(/^[0-9A-Z]{5}$/);
  });

  it('refuses calls beyond maxInFlight instead of queueing them without bound', async () => {
    const calls = Array.from({ length: 5 }, (_, i) => store.getSession(`busy-${i}`).then(
      () => 'answered',
      (e: unknown) => (e instanceof StoreBusyError ? 'busy' : String(e)),
    ));
    expect(await Promise.all(calls)).toEqual(['answered', 'answered', 'busy', 'busy', 'busy']);
    expect(await store.getSession('after')).toBeUndefined();
  });

  it('reports a crashed in-memory worker: waiting calls fail, later calls fail at once, health turns bad, no restart', async () => {
    const store = doomed;
    await store.applyShaping({ sessionId: 'before', state: { mode: 'upspin' }, command: { kind: 'upspin', body: {} } });
    // The worker dies while this call waits on it (inside its transaction, in the callback).
    const waiting = store.applyShaping(
      { sessionId: 'during', state: { mode: 'upspin' }, command: { kind: 'upspin', body: {} } },
      { beforeCommit: async () => void (await workerOf(store)!.terminate()) },
    );
    await expect(waiting).rejects.toBeInstanceOf(StoreWorkerError);
    await expect(store.getSession('before')).rejects.toThrow(/session store unavailable: worker exited with code 1/);
    const health = await store.health();
    expect(health).toEqual({ ok: false, detail: expect.stringContaining('worker gone') });
    // In memory: not started again, since a new store would have forgotten every session.
    expect(health.detail).not.toContain('restarting');
  });

  it('starts a dead worker again on the same data directory: what was stored before the crash is still there', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-worker-restart-'));
    const healing = await createPgliteWorkerStore({ dataDir, restartDelayMs: 50 });
    try {
      await healing.applyShaping({ sessionId: 'kept', state: { mode: 'upspin' }, command: { kind: 'upspin', body: {} } });
      const first = workerOf(healing)!;
      await first.terminate();
      expect(await healing.health()).toEqual({ ok: false, detail: expect.stringMatching(/worker gone: worker exited with code 1; restarting/) });
      await vi.waitFor(async () => expect(await healing.health()).toMatchObject({ ok: true }), { timeout: 60_000, interval: 100 });
      expect(workerOf(healing)).not.toBe(first);
      expect((await healing.getSession('kept'))?.state).toEqual({ mode: 'upspin' });
      await healing.applyShaping({ sessionId: 'after', state: { mode: 'upspin' }, command: { kind: 'upspin', body: {} } });
      expect(await healing.getSession('after')).toBeDefined();
    } finally {
      await healing.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

});
