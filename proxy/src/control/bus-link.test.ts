import { MemoryBus, MemoryBusHub } from '@downspin/bus';
import type { SessionActivity } from '@downspin/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '@downspin/testing';
import { SessionTable } from '../session/table.js';
import { ACTIVITY_PER_MESSAGE, BusLink, SESSIONS_PER_TASK } from './bus-link.js';

describe('BusLink activity reports', () => {
  const closing: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  /** A link whose only report (until closed) is the one start() sends. */
  async function startLink(bus: MemoryBus, sessions: SessionTable): Promise<void> {
    const link = new BusLink({
      bus,
      proxyId: 'proxy-test',
      sessions,
      loadShaping: async () => [],
      logger: pino({ level: 'silent' }),
      reportIntervalMs: 600_000,
      presence: () => ({ connections: 0, requestsPerSecond: 0, requestsTotal: 0, webSockets: 0 }),
    });
    closing.unshift(() => link.close());
    await link.start();
  }

  it('sends a report of many sessions as several bounded messages, every session exactly once', async () => {
    const hub = new MemoryBusHub();
    const proxyBus = new MemoryBus({ hub });
    const controlBus = new MemoryBus({ hub });
    const sessions = new SessionTable({ idleMs: 600_000, maxSessions: 10_000 });
    const active = 2 * ACTIVITY_PER_MESSAGE + 17;
    for (let i = 0; i < active; i++) {
      const session = sessions.getOrCreate(`s-${i}`);
      session.touch(Date.now(), 'ua', '127.0.0.1');
      session.recordRequest(100, i + 1);
    }
    const messages: SessionActivity[][] = [];
    await controlBus.subscribe('activity', (message) => void messages.push(message.sessions));
    closing.push(() => proxyBus.close(), () => controlBus.close());
    await startLink(proxyBus, sessions);

    await eventually(() => expect(messages.flat()).toHaveLength(active));
    expect(messages.map((m) => m.length)).toEqual([ACTIVITY_PER_MESSAGE, ACTIVITY_PER_MESSAGE, 17]);
    const reported = messages.flat();
    expect(new Set(reported.map((s) => s.sessionId)).size).toBe(active);
    expect(reported.reduce((sum, s) => sum + s.bytesOut, 0)).toBe((active * (active + 1)) / 2);
  });

  it('walks a large table in short tasks: the active sessions reported, the idle ones dropped', async () => {
    const hub = new MemoryBusHub();
    const proxyBus = new MemoryBus({ hub });
    const controlBus = new MemoryBus({ hub });
    const idleMs = 60_000;
    const sessions = new SessionTable({ idleMs, maxSessions: 100_000 });
    const idle = 5 * SESSIONS_PER_TASK;
    for (let i = 0; i < idle; i++) sessions.getOrCreate(`idle-${i}`).touch(Date.now() - 2 * idleMs, 'ua', '127.0.0.1');
    for (let i = 0; i < 3; i++) {
      const session = sessions.getOrCreate(`active-${i}`);
      session.touch(Date.now(), 'ua', '127.0.0.1');
      session.recordRequest(10, 10);
    }
    // The idle ones have reported their one request already.
    for (let i = 0; i < idle; i++) sessions.get(`idle-${i}`)!.recordRequest(1, 1);
    sessions.takeActivity(Infinity);
    for (let i = 0; i < 3; i++) {
      sessions.get(`active-${i}`)!.touch(Date.now(), 'ua', '127.0.0.1');
      sessions.get(`active-${i}`)!.recordRequest(10, 10);
    }
    const reported: SessionActivity[] = [];
    await controlBus.subscribe('activity', (message) => void reported.push(...message.sessions));
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      if (!counting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    closing.push(() => proxyBus.close(), () => controlBus.close());
    await startLink(proxyBus, sessions);
    counting = false;

    expect(reported.map((s) => s.sessionId).sort()).toEqual(['active-0', 'active-1', 'active-2']);
    expect(sessions.size).toBe(3);
    // At least a turn of the event loop for each SESSIONS_PER_TASK sessions walked, twice (activity, then idleness).
    expect(turns).toBeGreaterThanOrEqual(2 * 5);
  });
});
