import type { BusChannel, BusMessage } from '@downspin/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bus } from './bus.js';
import { BusUnavailableError, InvalidBusMessageError } from './errors.js';

/**
 * One deployment's worth of buses for a contract test: every bus `open()`
 * returns shares one medium (an in-process hub, a Redis prefix), as the
 * processes of one deployment do, and nothing outside this harness does.
 */
export interface BusContractHarness {
  open(): Promise<Bus>;
  /** Puts raw text on a channel, as an outdated or hostile peer would. */
  publishRaw(channel: BusChannel, raw: string): Promise<void>;
  /** Closes every bus it opened and anything else it holds. */
  close(): Promise<void>;
}

/** One valid message of each kind, with every default filled in, so a round trip must return it unchanged. */
export const SAMPLE_MESSAGES: { [C in BusChannel]: BusMessage<C> } = {
  commands: {
    type: 'shaping',
    commandId: 'cmd-1',
    shaping: {
      sessionId: 'contract-session_1',
      version: 7,
      updatedAt: 1_700_000_000_000,
      state: {
        mode: 'profile',
        preset: 'slow-3g',
        profile: {
          latency: { ms: 400, jitterMs: 100, distribution: 'normal' },
          bandwidth: { downKbps: 750, upKbps: 250 },
          rateLimit: { rps: 5, burst: 10 },
          faults: { errorRate: 0.1, status: 503, resetRate: 0.02, timeoutRate: 0, failFirst: 2 },
          routes: ['/api/**'],
          seed: 42,
        },
      },
    },
  },
  acks: { type: 'ack', commandId: 'cmd-1', proxyId: 'proxy-a', sessionId: 'contract-session_1', version: 7 },
  presence: {
    type: 'presence',
    proxyId: 'proxy-a',
    startedAt: 1_700_000_000_000,
    at: 1_700_000_001_000,
    sessions: 3,
    connections: 12,
    requestsPerSecond: 4.5,
    alive: true,
  },
  activity: {
    type: 'activity',
    proxyId: 'proxy-a',
    sessions: [
      {
        sessionId: 'contract-session_1',
        firstSeen: 1_700_000_000_000,
        lastSeen: 1_700_000_000_900,
        requests: 9,
        bytesIn: 1200,
        bytesOut: 34_000,
        violations: 1,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130 — “quotes” ✓',
        ip: '203.0.113.7',
        bannedUntil: 1_700_000_300_000,
      },
    ],
  },
  client: {
    type: 'client',
    sessionId: 'contract-session_1',
    message: { type: 'notify', id: 'n-1', message: 'Deploy at 5 pm <b>not HTML</b>', level: 'warning' },
  },
};

function ack(commandId: string): BusMessage<'acks'> {
  return { ...SAMPLE_MESSAGES.acks, commandId };
}

/** A handler that records what it gets. */
function recorder<C extends BusChannel>(): { seen: BusMessage<C>[]; handler: (message: BusMessage<C>) => void } {
  const seen: BusMessage<C>[] = [];
  return { seen, handler: (message) => void seen.push(message) };
}

/** Waits for a condition with a deadline sized for a busy 2-core machine. */
function eventually(assertion: () => void): Promise<void> {
  return vi.waitFor(assertion, { timeout: 10_000, interval: 10 });
}

/**
 * The behaviour every `Bus` must have. Run it once per implementation:
 *
 * @example
 * describeBusContract('MemoryBus', async () => { const hub = new MemoryBusHub(); … });
 */
export function describeBusContract(name: string, makeHarness: () => Promise<BusContractHarness>): void {
  describe(`Bus contract: ${name}`, () => {
    let harness: BusContractHarness | undefined;
    async function setup(): Promise<BusContractHarness> {
      harness = await makeHarness();
      return harness;
    }
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('delivers to every subscriber of the channel, in this and other processes, and to no other channel', async () => {
      const h = await setup();
      const [a, b] = [await h.open(), await h.open()];
      const sameBus = recorder<'acks'>();
      const otherBus = recorder<'acks'>();
      const otherChannel = recorder<'presence'>();
      await a.subscribe('acks', sameBus.handler);
      await b.subscribe('acks', otherBus.handler);
      await b.subscribe('presence', otherChannel.handler);

      await a.publish('acks', ack('to-acks'));
      // Sent after the ack by the same publisher: once it is in, the ack had its chance to go astray.
      await a.publish('presence', SAMPLE_MESSAGES.presence);
      await eventually(() => expect(otherChannel.seen).toHaveLength(1));

      expect(otherChannel.seen).toEqual([SAMPLE_MESSAGES.presence]);
      await eventually(() => expect(sameBus.seen.map((m) => m.commandId)).toEqual(['to-acks']));
      expect(otherBus.seen.map((m) => m.commandId)).toEqual(['to-acks']);
    });

    it.each(Object.keys(SAMPLE_MESSAGES) as BusChannel[])('carries a %s message across unchanged', async (channel) => {
      const h = await setup();
      const [sender, receiver] = [await h.open(), await h.open()];
      const got = recorder<typeof channel>();
      await receiver.subscribe(channel, got.handler);
      await sender.publish(channel, SAMPLE_MESSAGES[channel]);
      await eventually(() => expect(got.seen).toEqual([SAMPLE_MESSAGES[channel]]));
    });

    it('stops delivering to a handler once it unsubscribes, and others keep receiving', async () => {
      const h = await setup();
      const [sender, receiver] = [await h.open(), await h.open()];
      const leaving = recorder<'acks'>();
      const staying = recorder<'acks'>();
      const unsubscribe = await receiver.subscribe('acks', leaving.handler);
      await receiver.subscribe('acks', staying.handler);
      await sender.publish('acks', ack('before'));
      await eventually(() => expect(leaving.seen).toHaveLength(1));

      await unsubscribe();
      await sender.publish('acks', ack('after'));
      await eventually(() => expect(staying.seen.map((m) => m.commandId)).toEqual(['before', 'after']));
      expect(leaving.seen.map((m) => m.commandId)).toEqual(['before']);
    });

    it('delivers again after the last handler of a channel left and a new one came', async () => {
      const h = await setup();
      const [sender, receiver] = [await h.open(), await h.open()];
      const first = recorder<'acks'>();
      const unsubscribe = await receiver.subscribe('acks', first.handler);
      await unsubscribe();
      const second = recorder<'acks'>();
      await receiver.subscribe('acks', second.handler);
      await sender.publish('acks', ack('again'));
      await eventually(() => expect(second.seen.map((m) => m.commandId)).toEqual(['again']));
      expect(first.seen).toEqual([]);
    });

    it('drops and counts messages that are not valid for their channel, and keeps delivering', async () => {
      const h = await setup();
      const receiver = await h.open();
      const got = recorder<'acks'>();
      await receiver.subscribe('acks', got.handler);

      await h.publishRaw('acks', 'not json {');
      await h.publishRaw('acks', JSON.stringify({ type: 'ack', commandId: 'no-proxy-id' }));
      await h.publishRaw('acks', JSON.stringify(SAMPLE_MESSAGES.presence));
      await h.publishRaw('acks', JSON.stringify({ ...ack('extra-key'), evil: true }));
      await h.publishRaw('acks', `{"__proto__":{"polluted":true},${JSON.stringify(ack('proto')).slice(1)}`);
      await h.publishRaw('acks', JSON.stringify(ack('valid')));

      await eventually(() => expect(got.seen.map((m) => m.commandId)).toEqual(['valid']));
      expect(receiver.stats()).toMatchObject({ received: 1, dropped: 5 });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('rejects publishing a message that is invalid for its channel, and sends nothing', async () => {
      const h = await setup();
      const [sender, receiver] = [await h.open(), await h.open()];
      const got = recorder<'acks'>();
      await receiver.subscribe('acks', got.handler);
      const wrong = { ...ack('bad'), version: -1 };
      await expect(sender.publish('acks', wrong)).rejects.toThrow(InvalidBusMessageError);
      await expect(sender.publish('acks', SAMPLE_MESSAGES.presence as never)).rejects.toThrow(/invalid acks message/);

      await sender.publish('acks', ack('good'));
      await eventually(() => expect(got.seen.map((m) => m.commandId)).toEqual(['good']));
      expect(sender.stats().published).toBe(1);
    });

    it('keeps the order of messages from one publisher', async () => {
      const h = await setup();
      const [sender, receiver] = [await h.open(), await h.open()];
      const got = recorder<'acks'>();
      await receiver.subscribe('acks', got.handler);
      const ids = Array.from({ length: 200 }, (_, i) => `m${i}`);
      // Not awaited one by one: they are all in flight together, as under load.
      await Promise.all(ids.map((id) => sender.publish('acks', ack(id))));
      await eventually(() => expect(got.seen).toHaveLength(ids.length));
      expect(got.seen.map((m) => m.commandId)).toEqual(ids);
    });

    it('delivers to the other handlers when one throws or rejects, and counts the failures', async () => {
      const h = await setup();
      const [sender, receiver] = [await h.open(), await h.open()];
      const got = recorder<'acks'>();
      await receiver.subscribe('acks', () => {
        throw new Error('handler bug');
      });
      await receiver.subscribe('acks', async () => {
        throw new Error('async handler bug');
      });
      await receiver.subscribe('acks', got.handler);
      await sender.publish('acks', ack('one'));
      await sender.publish('acks', ack('two'));
      await eventually(() => expect(got.seen.map((m) => m.commandId)).toEqual(['one', 'two']));
      await eventually(() => expect(receiver.stats().handlerErrors).toBe(4));
    });

    it('is healthy while open; once closed it says so and refuses to publish', async () => {
      const h = await setup();
      const bus = await h.open();
      expect(bus.status().ok).toBe(true);
      await bus.close();
      expect(bus.status()).toEqual({ ok: false, detail: 'closed' });
      await expect(bus.publish('acks', ack('late'))).rejects.toThrow(BusUnavailableError);
      await bus.close(); // closing twice is harmless
    });
  });
}
