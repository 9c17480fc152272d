import type { AdminStats } from '@downspin/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiProblem, networkProblem } from '../api/problem.js';
import { LiveConnection, sameOriginSocketUrl, type ConnectionStatus, type SocketLike } from './connection.js';

class FakeSocket implements SocketLike {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readyState = 0;
  sent: string[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  message(data: unknown): void {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent);
  }
  lose(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

const stats = {
  at: '2026-11-25T10:00:00.000Z',
  activeSessions: 0,
  connections: 0,
  webSockets: 0,
  requestsPerSecond: 0,
  requestsTotal: 0,
  telemetry: { queued: 0, written: 0, spilled: 0, replayed: 0, dropped: 0 },
  proxies: [],
  bus: { kind: 'memory', ok: true, detail: '', published: 0, received: 0, dropped: 0, handlerErrors: 0 },
  activity: { ingesting: true, pendingSessions: 0, flushes: 0, dropped: 0, lastError: null },
  channels: {
    client: { connected: 0, sessions: 0, delivered: 0, messagesDropped: 0, slowConsumers: 0 },
    dashboard: { connected: 0, slowConsumers: 0 },
  },
  clientEvents: { accepted: 0, discarded: 0, rejected: 0, sinkErrors: 0 },
} satisfies AdminStats;

let sockets: FakeSocket[];
let statuses: ConnectionStatus[];
let messages: unknown[];
let ticket: ReturnType<typeof vi.fn<() => Promise<{ ticket: string; expiresAt: string; path: string }>>>;

function connection(): LiveConnection {
  return new LiveConnection({
    ticket,
    url: (path) => `ws://api.test${path}`,
    socket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    backoff: { baseMs: 500, maxMs: 5000, jitter: 0 },
    silenceMs: 10_000,
  });
}

const last = () => statuses.at(-1)!;
let n = 0;

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  statuses = [];
  messages = [];
  ticket = vi.fn(async () => ({ ticket: `t${++n}`, expiresAt: '', path: `/ws/dashboard?ticket=t${n}` }));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveConnection', () => {
  it('opens the ticket path and hands on valid messages only', async () => {
    const live = connection();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets[0]!.url).toMatch(/^ws:\/\/api\.test\/ws\/dashboard\?ticket=t\d+$/);
    sockets[0]!.open();
    expect(last()).toEqual({ state: 'open' });
    sockets[0]!.message({ type: 'snapshot', at: '', sessions: [], stats });
    sockets[0]!.message('not json');
    sockets[0]!.message({ type: 'from-the-future' });
    sockets[0]!.message({ type: 'stats', stats });
    expect(messages.map((m) => (m as { type: string }).type)).toEqual(['snapshot', 'stats']);
    expect(live.dropped).toBe(2);
    live.stop();
  });

  it('shows the loss, then reconnects by itself with a fresh ticket and growing waits', async () => {
    const live = connection();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]!.open();
    sockets[0]!.lose(1001);
    expect(last()).toMatchObject({ state: 'disconnected', reason: expect.stringMatching(/restarting/) });

    // The API is down for a while: the ticket cannot be had.
    ticket.mockRejectedValueOnce(networkProblem(new TypeError('Failed to fetch')));
    ticket.mockRejectedValueOnce(networkProblem(new TypeError('Failed to fetch')));
    await vi.advanceTimersByTimeAsync(499);
    expect(ticket).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // 500 ms: first retry, fails
    expect(last()).toMatchObject({ state: 'disconnected', reason: expect.stringMatching(/Cannot reach/) });
    await vi.advanceTimersByTimeAsync(1000); // second retry, fails
    expect(ticket).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(2000); // third retry: the API is back
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.url).not.toBe(sockets[0]!.url);
    sockets[1]!.open();
    sockets[1]!.message({ type: 'snapshot', at: '', sessions: [], stats });
    expect(last()).toEqual({ state: 'open' });

    // After a snapshot the backoff starts again from the base.
    sockets[1]!.lose();
    expect(last()).toMatchObject({ state: 'disconnected', attempt: 0 });
    live.stop();
  });

  it('gives up on a silent connection and reconnects', async () => {
    const live = connection();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]!.open();
    await vi.advanceTimersByTimeAsync(9_000);
    sockets[0]!.message({ type: 'stats', stats });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(last()).toEqual({ state: 'open' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets[0]!.closedWith).toBe(4000);
    expect(last()).toMatchObject({ state: 'disconnected' });
    await vi.advanceTimersByTimeAsync(500);
    expect(sockets).toHaveLength(2);
    live.stop();
  });

  it('stops retrying when the key is refused', async () => {
    ticket.mockRejectedValueOnce(new ApiProblem('unauthorized', 'Missing or wrong API key', 401));
    const live = connection();
    live.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(last()).toMatchObject({ state: 'unauthorized', reason: expect.stringMatching(/admin key was not accepted/) });
    expect(ticket).toHaveBeenCalledTimes(1);
    expect(sockets).toHaveLength(0);
  });

  it('retries at once on request, asks for resync, and stays closed once stopped', async () => {
    const live = connection();
    live.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]!.open();
    live.resync();
    expect(sockets[0]!.sent).toEqual([JSON.stringify({ type: 'resync' })]);
    sockets[0]!.lose();
    live.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets).toHaveLength(2);
    live.stop();
    expect(sockets[1]!.closedWith).toBe(1000);
    sockets[1]!.lose(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(2);
    expect(last()).toEqual({ state: 'stopped' });
  });
});

describe('sameOriginSocketUrl', () => {
  it('follows the page scheme', () => {
    expect(sameOriginSocketUrl('/ws/dashboard?ticket=x', { protocol: 'http:', host: 'localhost:8081' })).toBe('ws://localhost:8081/ws/dashboard?ticket=x');
    expect(sameOriginSocketUrl('/ws/dashboard', { protocol: 'https:', host: 'qa.example' })).toBe('wss://qa.example/ws/dashboard');
  });
});
