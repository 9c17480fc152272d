import { WS_CLOSE_TERMINATED } from '@downspin/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandChannel, type ChannelStatus, type SocketLike } from './channel.js';

/** A WebSocket stand-in the test drives: open, message, close. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  message(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onerror?.(new Event('error'));
    this.onclose?.({ code, reason: '' } as CloseEvent);
  }
}

const hello = { type: 'hello', sessionId: 'abcdefghijklmnopqrstuv', consent: true } as const;

function setup(random = () => 1) {
  const sockets: FakeSocket[] = [];
  const statuses: ChannelStatus[] = [];
  const messages: unknown[] = [];
  const keepalives = { count: 0 };
  const channel = new CommandChannel({
    url: 'ws://127.0.0.1:8081/ws/client',
    hello,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onMessage: (data) => messages.push(data),
    onStatus: (status) => statuses.push(status),
    onKeepalive: () => keepalives.count++,
    random,
  });
  const last = (): FakeSocket => sockets.at(-1)!;
  return { channel, sockets, statuses, messages, last, keepalives };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CommandChannel', () => {
  it('says hello first, then passes every server message on unread', () => {
    const { channel, last, messages, statuses } = setup();
    channel.start();
    expect(last().url).toBe('ws://127.0.0.1:8081/ws/client');
    expect(statuses.at(-1)?.state).toBe('connecting');
    last().open();
    expect(last().sent).toEqual([hello]);
    expect(statuses.at(-1)?.state).toBe('open');
    last().message('{"type":"welcome"}');
    last().message(new ArrayBuffer(2));
    expect(messages).toEqual(['{"type":"welcome"}', new ArrayBuffer(2)]);
  });

  it('sends a keepalive every 20 s while open, and none after it closed; onKeepalive follows each one', () => {
    const { channel, last, keepalives } = setup();
    channel.start();
    last().open();
    vi.advanceTimersByTime(19_999);
    expect(last().sent).toEqual([hello]);
    expect(keepalives.count).toBe(0);
    vi.advanceTimersByTime(1);
    expect(last().sent).toEqual([hello, { type: 'keepalive' }]);
    expect(keepalives.count).toBe(1);
    vi.advanceTimersByTime(40_000);
    expect(last().sent.filter((m) => (m as { type: string }).type === 'keepalive')).toHaveLength(3);
    expect(keepalives.count).toBe(3);
    const socket = last();
    channel.stop();
    vi.advanceTimersByTime(60_000);
    expect(socket.sent).toHaveLength(4);
    expect(keepalives.count).toBe(3);
  });

  it('reconnects with growing, capped delays after losing the connection, and says hello again', () => {
    const { channel, sockets, last, statuses } = setup(() => 1);
    channel.start();
    last().drop();
    // Full jitter factor 1: 250, 500, 1000, 2000, 3000 (cap), 3000 ms.
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const status = statuses.at(-1)!;
      expect(status.state).toBe('waiting');
      delays.push(status.retryAt! - Date.now());
      const before = sockets.length;
      vi.advanceTimersByTime(delays.at(-1)! - 1);
      expect(sockets).toHaveLength(before);
      vi.advanceTimersByTime(1);
      expect(sockets).toHaveLength(before + 1);
      last().drop();
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 3000, 3000]);
    vi.advanceTimersByTime(3000);
    last().open();
    expect(last().sent).toEqual([hello]);
  });

  it('jitters each delay between half and all of it', () => {
    const { channel, last, statuses } = setup(() => 0);
    channel.start();
    last().drop();
    expect(statuses.at(-1)!.retryAt! - Date.now()).toBe(125);
  });

  it('starts the backoff over once the server welcomed it', () => {
    const { channel, last, statuses } = setup(() => 1);
    channel.start();
    for (let i = 0; i < 4; i++) {
      last().drop();
      vi.advanceTimersByTime(3000);
    }
    last().open();
    expect(channel.welcomed()).toBe(false);
    last().drop();
    expect(statuses.at(-1)!.retryAt! - Date.now()).toBe(250);
    vi.advanceTimersByTime(250);
    last().open();
    expect(channel.welcomed()).toBe(true);
  });

  it('gives up on a connection that does not open within 5 s and tries again', () => {
    const { channel, sockets } = setup();
    channel.start();
    vi.advanceTimersByTime(5000);
    expect(sockets[0]!.closedWith).toBeDefined();
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it('retries when the socket cannot even be created', () => {
    let calls = 0;
    const statuses: ChannelStatus[] = [];
    const channel = new CommandChannel({
      url: 'ws://x/ws/client',
      hello,
      createSocket: () => {
        calls++;
        throw new SyntaxError('bad url');
      },
      onMessage: () => undefined,
      onStatus: (status) => statuses.push(status),
      random: () => 1,
    });
    channel.start();
    vi.advanceTimersByTime(250 + 500);
    expect(calls).toBe(3);
    expect(statuses.at(-1)!.state).toBe('waiting');
  });

  it('stops for good when the server closes 4403 (terminated)', () => {
    const { channel, sockets, last, statuses } = setup();
    channel.start();
    last().open();
    last().drop(WS_CLOSE_TERMINATED);
    expect(statuses.at(-1)!.state).toBe('terminated');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('does not reconnect after stop(), and ignores events of the old socket', () => {
    const { channel, sockets, last, messages, statuses } = setup();
    channel.start();
    const socket = last();
    socket.open();
    channel.stop('consent revoked');
    expect(socket.closedWith).toEqual([1000, 'consent revoked']);
    expect(statuses.at(-1)!.state).toBe('stopped');
    socket.message('late');
    socket.drop();
    vi.advanceTimersByTime(60_000);
    expect(messages).toEqual([]);
    expect(sockets).toHaveLength(1);
    expect(channel.send({ type: 'keepalive' })).toBe(false);
  });

  it('sends only while open', () => {
    const { channel, last } = setup();
    channel.start();
    expect(channel.send({ type: 'keepalive' })).toBe(false);
    last().open();
    expect(channel.send({ type: 'keepalive' })).toBe(true);
    last().drop();
    expect(channel.send({ type: 'keepalive' })).toBe(false);
  });
});
