import { randomBytes } from 'node:crypto';
import { presetProfile, sessionHash, type ShapingState } from '@downspin/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotMigratedError } from '../migrations/migrate.js';
import { scenarioContract } from './scenario-contract.js';
import type { ActivityItem, SessionStore } from './store.js';

/**
 * Makes a store. With `migrated: false` it targets a fresh, empty database
 * and is expected to reject.
 */
export type MakeSessionStore = (options: { migrated: boolean }) => Promise<SessionStore>;

const uniqueId = (label: string): string => `${label}-${randomBytes(6).toString('hex')}`;

const activity = (sessionId: string, patch: Partial<ActivityItem> = {}): ActivityItem => ({
  sessionId,
  firstSeen: 1_700_000_000_000,
  lastSeen: 1_700_000_001_000,
  requests: 1,
  bytesIn: 10,
  bytesOut: 100,
  violations: 0,
  userAgent: 'Mozilla/5.0 Firefox/130.0',
  browser: 'Firefox',
  country: 'LO',
  ...patch,
});

/**
 * The behaviour every `SessionStore` must have. Tests share one store and
 * use their own session ids, so they also prove sessions do not leak into
 * each other.
 */
export function describeSessionStoreContract(name: string, makeStore: MakeSessionStore): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    beforeAll(async () => {
      store = await makeStore({ migrated: true });
    });
    afterAll(async () => {
      await store?.close();
    });

    scenarioContract(() => store);

    const apply = (sessionId: string, state: ShapingState, kind: string = state.mode) =>
      store.applyShaping({ sessionId, state, command: { kind, body: { state } } });

    it('refuses an unmigrated database with a one-line message naming `downspin migrate`', async () => {
      const attempt = makeStore({ migrated: false });
      await expect(attempt).rejects.toBeInstanceOf(NotMigratedError);
      await expect(attempt).rejects.toThrow(/not migrated.*downspin migrate/);
      const message = await attempt.then(
        () => '',
        (error: Error) => error.message,
      );
      expect(message).not.toContain('\n');
    });

    it('gives a new session version 1 and adds exactly one per change', async () => {
      const id = uniqueId('versions');
      expect(await store.getShaping(id)).toBeUndefined();
      const first = await apply(id, { mode: 'downspin', latencyMs: 300 });
      const second = await apply(id, { mode: 'upspin' });
      const third = await apply(id, { mode: 'profile', profile: presetProfile('slow-3g'), preset: 'slow-3g' });
      expect([first.version, second.version, third.version]).toEqual([1, 2, 3]);
      const stored = await store.getShaping(id);
      expect(stored).toMatchObject({ sessionId: id, version: 3, state: { mode: 'profile', preset: 'slow-3g' } });
      expect(stored!.updatedAt).toBeGreaterThan(Date.now() - 60_000);
    });

    it('never gives two concurrent changes the same version', async () => {
      const id = uniqueId('concurrent');
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => apply(id, { mode: 'downspin', latencyMs: i * 10 })),
      );
      const versions = results.map((r) => r.version).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect((await store.getShaping(id))?.version).toBe(12);
      const history = await store.history(id, 100);
      expect(history.map((h) => h.version)).toEqual(versions.slice().reverse());
    });

    it('survives concurrent first writes of a new session (commands, consent and activity at once)', async () => {
      // The race needs many tries to show: 200 rounds caught it every time before the fix (0002).
      for (let round = 0; round < 200; round++) {
        const id = uniqueId(`first-${round}`);
        const writes = await Promise.allSettled([
          ...Array.from({ length: 8 }, (_, i) => apply(id, { mode: 'downspin', latencyMs: i })),
          store.setConsent(id, true),
          store.recordActivity([{ sessionId: id, firstSeen: 1, lastSeen: 2, requests: 1, bytesIn: 1, bytesOut: 1, violations: 0, userAgent: '', browser: '', country: '' }]),
        ]);
        expect(writes.filter((w) => w.status === 'rejected')).toEqual([]);
        expect((await store.getShaping(id))?.version).toBe(8);
      }
    });

    it('keeps the command history, newest first, with kind and body', async () => {
      const id = uniqueId('history');
      await store.applyShaping({ sessionId: id, state: { mode: 'downspin', latencyMs: 2000 }, command: { kind: 'downspin', body: { latency_ms: 2000 } } });
      await store.applyShaping({ sessionId: id, state: { mode: 'terminated', reason: 'bye' }, command: { kind: 'terminate', body: { reason: 'bye' } } });
      const history = await store.history(id, 10);
      expect(history.map(({ version, kind, body }) => ({ version, kind, body }))).toEqual([
        { version: 2, kind: 'terminate', body: { reason: 'bye' } },
        { version: 1, kind: 'downspin', body: { latency_ms: 2000 } },
      ]);
      expect(await store.history(id, 1)).toHaveLength(1);
      expect(await store.history(uniqueId('nobody'), 10)).toEqual([]);
    });

    it('keeps nothing when the change is refused before commit', async () => {
      const id = uniqueId('rollback');
      await apply(id, { mode: 'upspin' });
      const refused = store.applyShaping(
        { sessionId: id, state: { mode: 'downspin', latencyMs: 999 }, command: { kind: 'downspin', body: {} } },
        {
          beforeCommit: async (shaping) => {
            expect(shaping.version).toBe(2);
            throw new Error('bus is down');
          },
        },
      );
      await expect(refused).rejects.toThrow('bus is down');
      expect(await store.getShaping(id)).toMatchObject({ version: 1, state: { mode: 'upspin' } });
      expect(await store.history(id, 10)).toHaveLength(1);
      expect((await apply(id, { mode: 'none' })).version).toBe(2);
    });

    it('loads every shaped session, and only those', async () => {
      const shaped = uniqueId('shaped');
      const seenOnly = uniqueId('seen');
      await apply(shaped, { mode: 'downspin', latencyMs: 100 });
      await store.recordActivity([activity(seenOnly)]);
      const all = await store.loadShaping();
      const ids = all.map((s) => s.sessionId);
      expect(ids).toContain(shaped);
      expect(ids).not.toContain(seenOnly);
      expect(all.find((s) => s.sessionId === shaped)).toMatchObject({ version: 1, state: { mode: 'downspin', latencyMs: 100 } });
    });

    it('adds activity deltas up, keeps first seen and raises last seen', async () => {
      const id = uniqueId('activity');
      const other = uniqueId('activity-other');
      const facts = await store.recordActivity([
        activity(id, { firstSeen: 1_700_000_005_000, lastSeen: 1_700_000_006_000, requests: 3, bytesIn: 30, bytesOut: 300 }),
        // The same session twice in one batch (two proxies): both count.
        activity(id, { firstSeen: 1_700_000_002_000, lastSeen: 1_700_000_004_000, requests: 2, bytesIn: 20, bytesOut: 200, violations: 1 }),
        activity(other),
      ]);
      expect(facts.map((f) => f.sessionId).sort()).toEqual([id, other].sort());
      await store.recordActivity([
        activity(id, {
          firstSeen: 1_700_000_009_000,
          lastSeen: 1_700_000_010_000,
          requests: 5,
          bytesIn: 50,
          bytesOut: 500,
          violations: 4,
          userAgent: 'curl/8.5.0',
          browser: '',
          country: '',
          bannedUntil: 1_700_000_310_000,
        }),
      ]);
      const session = await store.getSession(id);
      expect(session).toMatchObject({
        requests: 10,
        bytesIn: 100,
        bytesOut: 1000,
        violations: 5,
        firstSeen: 1_700_000_002_000,
        lastSeen: 1_700_000_010_000,
        userAgent: 'curl/8.5.0',
        // Empty values in a report keep what was known.
        browser: 'Firefox',
        country: 'LO',
        bannedUntil: 1_700_000_310_000,
        version: 0,
        state: { mode: 'none' },
      });
      const [late] = await store.recordActivity([activity(id, { firstSeen: 1_700_000_001_000, lastSeen: 1_700_000_003_000, requests: 1 })]);
      expect(late).toMatchObject({ sessionId: id, requests: 11, violations: 5, firstSeen: 1_700_000_001_000, lastSeen: 1_700_000_010_000 });
    });

    it('stores consent and risk, and reports the totals a risk score needs', async () => {
      const id = uniqueId('consent');
      const created = await store.setConsent(id, true);
      expect(created).toMatchObject({ sessionId: id, consent: true, requests: 0, violations: 0 });
      await store.recordActivity([activity(id, { requests: 7, violations: 2 })]);
      const facts = await store.setConsent(id, false);
      expect(facts).toMatchObject({ consent: false, requests: 7, violations: 2, userAgent: 'Mozilla/5.0 Firefox/130.0' });
      await store.setRisk([{ sessionId: id, risk: 42 }]);
      expect(await store.getSession(id)).toMatchObject({ consent: false, risk: 42 });
    });

    it('filters throttled and high-risk sessions, most recently seen first', async () => {
      const ids = {
        downspin: uniqueId('f-downspin'),
        slow3g: uniqueId('f-slow3g'),
        timeline: uniqueId('f-timeline'),
        upspin: uniqueId('f-upspin'),
        emptyProfile: uniqueId('f-empty'),
        terminated: uniqueId('f-terminated'),
        risky: uniqueId('f-risky'),
        almost: uniqueId('f-almost'),
      };
      await apply(ids.downspin, { mode: 'downspin', latencyMs: 2000 });
      await apply(ids.slow3g, { mode: 'profile', profile: presetProfile('slow-3g'), preset: 'slow-3g' });
      await apply(ids.timeline, { mode: 'timeline', startedAt: Date.now(), steps: [{ atMs: 0, profile: presetProfile('offline') }] });
      await apply(ids.upspin, { mode: 'upspin' });
      await apply(ids.emptyProfile, { mode: 'profile', profile: presetProfile('none'), preset: 'none' });
      await apply(ids.terminated, { mode: 'terminated', reason: 'x' });
      // Seen far in the future, so these lead any list ordered by last seen.
      const future = Date.now() + 86_400_000;
      await store.recordActivity([
        activity(ids.risky, { firstSeen: future, lastSeen: future + 2000 }),
        activity(ids.almost, { firstSeen: future, lastSeen: future + 1000 }),
        activity(ids.slow3g, { firstSeen: future, lastSeen: future + 500 }),
      ]);
      await store.setRisk([
        { sessionId: ids.risky, risk: 70 },
        { sessionId: ids.almost, risk: 69 },
      ]);

      const throttled = (await store.listSessions('throttled', 10_000)).map((s) => s.id);
      expect(throttled).toEqual(expect.arrayContaining([ids.downspin, ids.slow3g, ids.timeline]));
      for (const id of [ids.upspin, ids.emptyProfile, ids.terminated, ids.risky]) expect(throttled).not.toContain(id);

      const risky = (await store.listSessions('high_risk', 10_000)).map((s) => s.id);
      expect(risky).toContain(ids.risky);
      expect(risky).not.toContain(ids.almost);

      const firstThree = (await store.listSessions('all', 3)).map((s) => s.id);
      expect(firstThree).toEqual([ids.risky, ids.almost, ids.slow3g]);
    });

    it('finds a session by its hash first, then by its id', async () => {
      const id = uniqueId('lookup');
      await apply(id, { mode: 'upspin' });
      const hash = await sessionHash(id);
      expect((await store.findSession(hash))?.id).toBe(id);
      expect(await store.findSession(id)).toMatchObject({ id, hash, version: 1, state: { mode: 'upspin' } });
      // A client-made id that looks like a hash: another session's hash still wins.
      await apply(hash, { mode: 'none' });
      expect((await store.findSession(hash))?.id).toBe(id);
      expect((await store.getSession(hash))?.id).toBe(hash);
      expect(await store.findSession(uniqueId('unknown'))).toBeUndefined();
      expect(await store.findSession('000000000000')).toBeUndefined();
    });

    it('expires sessions never shaped once idle, and keeps shaped and banned ones with their history', async () => {
      const ids = {
        seen: uniqueId('idle-seen'),
        consented: uniqueId('idle-consented'),
        shaped: uniqueId('idle-shaped'),
        banned: uniqueId('idle-banned'),
        fresh: uniqueId('fresh'),
      };
      await store.recordActivity([activity(ids.seen), activity(ids.banned, { bannedUntil: Date.now() + 600_000 })]);
      await store.setConsent(ids.consented, true);
      await apply(ids.shaped, { mode: 'downspin', latencyMs: 100 });
      await apply(ids.shaped, { mode: 'upspin' });
      // Everything above was written before the cutoff; `fresh` strictly after it.
      const cutoff = Date.now() + 1;
      while (Date.now() <= cutoff + 1) await new Promise((resolve) => setImmediate(resolve));
      await store.recordActivity([activity(ids.fresh)]);

      // The limit holds per call; repeated calls finish the job.
      expect(await store.expireIdle(cutoff, 1)).toBe(1);
      let more = 0;
      for (let n = 1; n > 0; more += n) n = await store.expireIdle(cutoff, 2);
      expect(more).toBeGreaterThanOrEqual(1);
      expect(await store.expireIdle(cutoff, 1000)).toBe(0);

      expect(await store.getSession(ids.seen)).toBeUndefined();
      expect(await store.getSession(ids.consented)).toBeUndefined();
      expect(await store.getSession(ids.banned)).toMatchObject({ bannedUntil: expect.any(Number) });
      expect(await store.getSession(ids.fresh)).toMatchObject({ requests: 1 });
      expect(await store.getShaping(ids.shaped)).toMatchObject({ version: 2, state: { mode: 'upspin' } });
      expect((await store.history(ids.shaped, 10)).map((c) => c.version)).toEqual([2, 1]);
      expect((await store.loadShaping()).map((s) => s.sessionId)).toContain(ids.shaped);

      // An expired session that comes back starts again from nothing.
      const [back] = await store.recordActivity([activity(ids.seen, { requests: 2 })]);
      expect(back).toMatchObject({ sessionId: ids.seen, requests: 2, consent: false });
    });

    it('keeps parameter values out of the error of a refused statement', async () => {
      // A NUL cannot be stored in text; the error is what the control API would log.
      const secret = `secret-reason-${randomBytes(4).toString('hex')}`;
      const error = await store
        .applyShaping({ sessionId: uniqueId('nul'), state: { mode: 'terminated', reason: `${secret}\u0000` }, command: { kind: 'terminate', body: {} } })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Error);
      const logged = JSON.stringify(error, Object.getOwnPropertyNames(error as object)) + String((error as Error).stack);
      expect(logged).not.toContain(secret);
    });

    it('reports health, and stops being healthy once closed', async () => {
      const health = await store.health();
      expect(health.ok).toBe(true);
      expect(health.detail).toContain(store.kind);
      const second = await makeStore({ migrated: true });
      await second.close();
      expect((await second.health()).ok).toBe(false);
      await expect(second.getSession('x')).rejects.toThrow();
    });
  });
}
