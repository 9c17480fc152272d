import { describe, expect, it } from 'vitest';
import { ProfileSchema } from '@downspin/protocol';
import { SessionTable } from './table.js';

describe('SessionTable', () => {
  const shaping = (sessionId: string, version: number, state: object) => ({ sessionId, version, state, updatedAt: 0 }) as never;

  it('forgets idle sessions without shaping, including ones put back to none, and keeps shaped ones', () => {
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
    expect(table.sweep(5000)).toBe(2);
    expect(table.get('shaped')).toBe(shaped);
    expect(table.get('reset')).toBeUndefined();
    expect(table.get('passing')).toBeUndefined();
  });

  it('keeps a session whose activity has not been reported yet', () => {
    const table = new SessionTable({ idleMs: 1000, maxSessions: 100 });
    const busy = table.getOrCreate('busy');
    busy.touch(1, 'ua', '127.0.0.1');
    busy.recordRequest(100, 200);
    expect(table.sweep(5000)).toBe(0);
  });

  it('stays bounded: the oldest unshaped sessions make room', () => {
    const table = new SessionTable({ idleMs: 60_000, maxSessions: 3 });
    const kept = table.getOrCreate('kept');
    kept.applyShaping(shaping('kept', 1, { mode: 'upspin' }));
    for (const id of ['a', 'b', 'c', 'd']) table.getOrCreate(id);
    expect(table.size).toBeLessThanOrEqual(3);
    expect(table.get('kept')).toBe(kept);
    expect(table.get('d')).toBeDefined();
  });
});

describe('SessionTable bound (#12.6)', () => {
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
