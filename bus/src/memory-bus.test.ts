import { describe, expect, it } from 'vitest';
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
