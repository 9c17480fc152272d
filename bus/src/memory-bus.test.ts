import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Bus } from './bus.js';
import { SAMPLE_MESSAGES, describeBusContract } from './contract.js';
import { MemoryBus, MemoryBusHub } from './memory-bus.js';

describeBusContract('MemoryBus', async () => {
  const hub = new MemoryBusHub();
  const buses: Bus[] = [];
  return {
    open: async () => {
      const bus = new MemoryBus({ hub });
      buses.push(bus);
      return bus;
    },
    publishRaw: async (channel, raw) => hub.publishRaw(channel, raw),
    close: async () => {
      await Promise.all(buses.map((bus) => bus.close()));
    },
  };
});

describe('MemoryBus', () => {
  it('keeps separately made buses apart unless they share a hub', async () => {
    const [a, b] = [new MemoryBus(), new MemoryBus()];
    const seenByB: unknown[] = [];
    const seenByA: unknown[] = [];
    await b.subscribe('acks', (m) => void seenByB.push(m));
    await a.subscribe('acks', (m) => void seenByA.push(m));
    await a.publish('acks', SAMPLE_MESSAGES.acks);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenByA).toHaveLength(1);
    expect(seenByB).toHaveLength(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('delivers on a later tick, never inside publish, and hands out a copy', async () => {
    const bus = new MemoryBus();
    const seen: unknown[] = [];
    await bus.subscribe('acks', (m) => void seen.push(m));
    const message = { ...SAMPLE_MESSAGES.acks };
    const published = bus.publish('acks', message);
    expect(seen).toHaveLength(0);
    await published;
    message.version = 99;
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([SAMPLE_MESSAGES.acks]);
    await bus.close();
  });
});

describe('bus logging', () => {
  function capture(): { lines: Record<string, unknown>[]; logger: pino.Logger } {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    return { lines, logger };
  }

  it('logs a dropped message and a failing handler, without letting a flood of junk flood the log', async () => {
    const { lines, logger } = capture();
    const hub = new MemoryBusHub();
    const bus = new MemoryBus({ hub, logger });
    await bus.subscribe('acks', () => {
      throw new Error('handler bug');
    });
    for (let i = 0; i < 50; i++) hub.publishRaw('acks', 'junk');
    await bus.publish('acks', SAMPLE_MESSAGES.acks);
    await vi.waitFor(() => expect(bus.stats()).toMatchObject({ dropped: 50, handlerErrors: 1 }));

    const dropped = lines.filter((line) => line.msg === 'dropped invalid bus message');
    expect(dropped).toEqual([expect.objectContaining({ channel: 'acks', reason: 'not JSON', level: 40 })]);
    const failed = lines.filter((line) => line.msg === 'bus handler failed');
    expect(failed).toEqual([expect.objectContaining({ channel: 'acks', err: expect.objectContaining({ message: 'handler bug' }) })]);
    await bus.close();
  });
});
