import { describe, expect, it } from 'vitest';
import { ProfileSchema } from '@downspin/protocol';
import { SessionTable } from './table.js';

describe('SessionTable', () => {
  const shaping = (sessionId: string, version: number, state: object) => ({ sessionId, version, state, updatedAt: 0 }) as never;

  it('forgets idle sessions without shaping, including ones put back to none, and parks shaped ones', () => {
    const table = new SessionTable({ idleMs: 1000, maxSessions: 100 });
    const passing = table.getOrCreate('passing');
    const reset = table.getOrCreate('reset');
    const shaped = table.getOrCreate('shaped');
    reset.applyShaping(shaping('reset', 1, { mode: 'downspin', latencyMs: 100 }));
    reset.applyShaping(shaping('reset', 2, { mode: 'none' }));
    shaped.applyShaping(shaping('shaped', 1, { mode: 'profile', profile: ProfileSchema.parse({ latency: { ms: 5 } }) }));
    for (const session of [passing, reset, shaped]) {
      session.touch(1, 'ua', '127.0.0.1');
      session.recordRequest(100, 200);
    }
    table.takeActivity(10);
    expect(table.sweep(5000)).toBe(3);
    expect(table.size).toBe(0);
    expect(table.parkedSize).toBe(1);
    expect(table.versionOf('shaped')).toBe(1);
    expect(table.versionOf('reset')).toBe(0);
    expect(table.get('passing')).toBeUndefined();
  });

  it('builds a parked session again from its shaping on its next request', () => {
    const table = new SessionTable({ idleMs: 1000, maxSessions: 100 });
    const before = table.getOrCreate('back');
    before.applyShaping(shaping('back', 4, { mode: 'downspin', latencyMs: 750 }));
    expect(table.sweep(5000)).toBe(1);
    const after = table.getOrCreate('back');
    expect(after).not.toBe(before);
    expect(after.version).toBe(4);
    expect(after.state).toEqual({ mode: 'downspin', latencyMs: 750 });
    expect(after.planAt(Date.now())?.plan.label).toBe('downspin: latency 750 ms');
    expect(table.parkedSize).toBe(0);
  });

  it('parks shaping for a session it has not seen, and applies only newer versions to it', () => {
    const table = new SessionTable({ idleMs: 1000, maxSessions: 100 });
    expect(table.apply(shaping('new', 2, { mode: 'downspin', latencyMs: 300 }))).toEqual({ applied: true, running: undefined });
    expect(table.apply(shaping('new', 1, { mode: 'upspin' })).applied).toBe(false);
    expect(table.apply(shaping('new', 2, { mode: 'downspin', latencyMs: 300 })).applied).toBe(false);
    expect(table.size).toBe(0);
    expect(table.versionOf('new')).toBe(2);
    expect(table.apply(shaping('new', 3, { mode: 'terminated', reason: 'done' })).applied).toBe(true);
    expect(table.getOrCreate('new').terminatedReason).toBe('done');
    const running = table.getOrCreate('new');
    expect(table.apply(shaping('new', 4, { mode: 'upspin' }))).toEqual({ applied: true, running });
    expect(running.upspin).toBe(true);
  });

  it('does not park a shaped session with a request running or a WebSocket open', () => {
    const table = new SessionTable({ idleMs: 1000, maxSessions: 100 });
    const waiting = table.getOrCreate('waiting');
    waiting.applyShaping(shaping('waiting', 1, { mode: 'downspin', latencyMs: 60_000 }));
    waiting.touch(1, 'ua', '127.0.0.1');
    const open = table.getOrCreate('open');
    open.applyShaping(shaping('open', 1, { mode: 'downspin', latencyMs: 100 }));
    open.webSockets.add({} as never);
    expect(table.sweep(5000)).toBe(0);
    waiting.recordRequest(10, 20);
    table.takeActivity(10);
    expect(table.sweep(5000)).toBe(1);
    expect(table.get('open')).toBe(open);
  });

  it('keeps a session whose activity has not been reported yet', () => {
    const table = new SessionTable({ idleMs: 1000, maxSessions: 100 });
    const busy = table.getOrCreate('busy');
    busy.touch(1, 'ua', '127.0.0.1');
    busy.recordRequest(100, 200);
    expect(table.sweep(5000)).toBe(0);
  });

  it('stays bounded: the oldest sessions make room, shaped ones parked', () => {
    const table = new SessionTable({ idleMs: 60_000, maxSessions: 3 });
    const kept = table.getOrCreate('kept');
    kept.applyShaping(shaping('kept', 1, { mode: 'upspin' }));
    for (const id of ['a', 'b', 'c', 'd']) table.getOrCreate(id);
    expect(table.size).toBeLessThanOrEqual(3);
    expect(table.get('kept')).toBeUndefined();
    expect(table.versionOf('kept')).toBe(1);
    expect(table.getOrCreate('kept').upspin).toBe(true);
    expect(table.get('d')).toBeDefined();
  });
});

describe('SessionTable bound (#12.6)', () => {
  it('makes room oldest first, round after round, past sessions that must stay and ids that come back', () => {
    const table = new SessionTable({ idleMs: 60_000, maxSessions: 3 });
    const ids = (): string[] => [...table.values()].map((s) => s.id).sort();
    for (const id of ['a', 'b', 'c', 'd', 'e']) table.getOrCreate(id);
    expect(ids()).toEqual(['c', 'd', 'e']);
    // A shaped session with a request running stays; the next oldest goes instead.
    const busy = table.getOrCreate('d');
    busy.applyShaping({ sessionId: 'd', version: 1, state: { mode: 'downspin', latencyMs: 100 }, updatedAt: 0 } as never);
    busy.touch(1, 'ua', '127.0.0.1');
    table.getOrCreate('a');
    expect(ids()).toEqual(['a', 'd', 'e']);
    table.getOrCreate('f');
    expect(ids()).toEqual(['a', 'd', 'f']);
    busy.recordRequest(1, 1);
    // The busy one was passed over twice and went to the back: 'a', then 'd' (parked) go next.
    table.getOrCreate('g');
    table.getOrCreate('h');
    expect(ids()).toEqual(['f', 'g', 'h']);
    expect(table.parkedSize).toBe(1);
  });

  it('stays bounded when its oldest 1,100 sessions hold open WebSockets', () => {
    const table = new SessionTable({ idleMs: 60_000, maxSessions: 1200 });
    for (let i = 0; i < 1100; i++) table.getOrCreate(`ws-${i}`).webSockets.add({} as never);
    for (let i = 0; i < 5000; i++) table.getOrCreate(`flood-${i}`);
    expect(table.size).toBeLessThanOrEqual(1200);
    for (let i = 0; i < 1100; i++) expect(table.get(`ws-${i}`)?.webSockets.size).toBe(1);
    expect(table.get('flood-4999')).toBeDefined();
  });

  it('keeps a running ban through a flood of new ids', () => {
    const table = new SessionTable({ idleMs: 60_000, maxSessions: 3 });
    const banned = table.getOrCreate('banned');
    banned.bannedUntil = Date.now() + 60_000;
    for (let i = 0; i < 5000; i++) table.getOrCreate(`flood-${i}`);
    expect(table.size).toBeLessThanOrEqual(3);
    expect(table.get('banned')).toBe(banned);
  });
});

describe('SessionRuntime versions', () => {
  const shaping = (version: number, state: object) => ({ sessionId: 'v', version, state, updatedAt: 0 }) as never;

  it('ignores older versions and repeats, and takes the store state of a version it already has', () => {
    const table = new SessionTable({ idleMs: 1000, maxSessions: 10 });
    const session = table.getOrCreate('v');
    expect(session.applyShaping(shaping(3, { mode: 'downspin', latencyMs: 500 }))).toBe(true);
    expect(session.applyShaping(shaping(2, { mode: 'upspin' }))).toBe(false);
    expect(session.applyShaping(shaping(3, { mode: 'downspin', latencyMs: 500 }))).toBe(false);
    // Version 3 was published but its commit failed; the store gave 3 to the next command.
    expect(session.applyShaping(shaping(3, { mode: 'upspin' }))).toBe(true);
    expect(session.state).toEqual({ mode: 'upspin' });
    expect(session.upspin).toBe(true);
  });
});
