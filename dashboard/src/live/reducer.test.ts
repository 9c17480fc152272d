import type { AdminStats, SessionView } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { initialLiveState, liveReducer, MAX_SESSIONS, sortSessions, type LiveState } from './reducer.js';

function session(hash: string, patch: Partial<SessionView> = {}): SessionView {
  return {
    hash,
    mode: 'none',
    shaping: 'no shaping',
    throttled: false,
    version: 0,
    userAgent: null,
    browser: 'Chrome',
    country: 'LO',
    firstSeen: '2026-11-25T10:00:00.000Z',
    lastSeen: '2026-11-25T10:00:00.000Z',
    requests: 1,
    bytesIn: 0,
    bytesOut: 0,
    violations: 0,
    risk: 0,
    consent: false,
    bannedUntil: null,
    ...patch,
  };
}

const stats = { at: '2026-11-25T10:00:00.000Z', requestsPerSecond: 3 } as AdminStats;

function snapshot(sessions: SessionView[]): LiveState {
  return liveReducer(initialLiveState, { type: 'snapshot', at: '', sessions, stats });
}

describe('liveReducer', () => {
  it('takes the snapshot whole, replacing what was there', () => {
    const first = snapshot([session('aaaaaaaaaaaa'), session('bbbbbbbbbbbb')]);
    expect(first.loaded).toBe(true);
    expect([...first.sessions.keys()]).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
    const again = liveReducer(first, { type: 'snapshot', at: '', sessions: [session('cccccccccccc')], stats, error: 'store down' });
    expect([...again.sessions.keys()]).toEqual(['cccccccccccc']);
    expect(again.snapshotError).toBe('store down');
  });

  it('replaces pushed sessions by hash and adds new ones', () => {
    const state = snapshot([session('aaaaaaaaaaaa', { requests: 1 })]);
    const next = liveReducer(state, {
      type: 'sessions',
      at: '',
      sessions: [session('aaaaaaaaaaaa', { requests: 9 }), session('bbbbbbbbbbbb')],
    });
    expect(next.sessions.get('aaaaaaaaaaaa')!.requests).toBe(9);
    expect(next.sessions.size).toBe(2);
    expect(state.sessions.get('aaaaaaaaaaaa')!.requests).toBe(1); // not mutated
  });

  it('never lets an older shaping version undo a newer one, but keeps newer activity', () => {
    const applied = liveReducer(snapshot([session('aaaaaaaaaaaa')]), {
      type: 'local',
      session: session('aaaaaaaaaaaa', { mode: 'downspin', shaping: 'throttle', throttled: true, version: 3 }),
    });
    const late = liveReducer(applied, {
      type: 'sessions',
      at: '',
      sessions: [session('aaaaaaaaaaaa', { version: 2, requests: 7, lastSeen: '2026-11-25T10:00:05.000Z' })],
    });
    expect(late.sessions.get('aaaaaaaaaaaa')).toMatchObject({ mode: 'downspin', version: 3, requests: 7 });
  });

  it('keeps the most recent alerts, one per id', () => {
    const alert = (id: string, risk: number) => ({
      type: 'alert' as const,
      alert: { id, kind: 'high_risk' as const, sessionHash: 'aaaaaaaaaaaa', risk, message: 'm', at: '' },
    });
    let state = liveReducer(initialLiveState, alert('a', 70));
    state = liveReducer(state, alert('b', 80));
    state = liveReducer(state, alert('a', 90));
    expect(state.alerts.map((a) => [a.id, a.risk])).toEqual([
      ['a', 90],
      ['b', 80],
    ]);
  });

  it('takes stats ticks', () => {
    const next = liveReducer(initialLiveState, { type: 'stats', stats: { ...stats, requestsPerSecond: 12 } });
    expect(next.stats!.requestsPerSecond).toBe(12);
  });

  it('bounds the sessions kept, dropping the least recently seen', () => {
    const many = Array.from({ length: MAX_SESSIONS + 5 }, (_, i) =>
      session(i.toString(16).padStart(12, '0'), { lastSeen: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }),
    );
    const state = snapshot(many);
    expect(state.sessions.size).toBe(MAX_SESSIONS);
    expect(state.sessions.has('000000000000')).toBe(false);
  });
});

describe('sortSessions', () => {
  it('lists the newest sessions first and keeps rows in place as traffic comes', () => {
    const older = session('aaaaaaaaaaaa', { firstSeen: '2026-11-25T10:00:00.000Z', lastSeen: '2026-11-25T12:00:00.000Z' });
    const newer = session('cccccccccccc', { firstSeen: '2026-11-25T11:00:00.000Z', lastSeen: '2026-11-25T11:00:00.000Z' });
    const unseen = session('bbbbbbbbbbbb', { firstSeen: null, lastSeen: null });
    expect(sortSessions([older, unseen, newer]).map((s) => s.hash)).toEqual(['cccccccccccc', 'aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  });
});
