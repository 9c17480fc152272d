import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RequestRow } from '@downspin/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { A, e1, e2, e3, request, T0, ws } from './contract-fixtures.js';
import { TelemetryStoreError } from './errors.js';
import { MemoryTelemetryStore } from './memory-store.js';
import type { InsertOptions, TelemetryBatch } from './types.js';
import { TelemetryWriter, type TelemetryWriterOptions } from './writer.js';

type Mode = 'up' | 'down' | 'store-then-fail' | 'store-then-down' | 'reject' | 'hang';

/**
 * A real memory store behind a switch: down (nothing stored), store-then-fail
 * (stored, but the caller hears an error, as when a connection dies after
 * the server committed; then up again), store-then-down (the same, then
 * down), reject (refuses the data), hang (never answers).
 */
class SwitchableStore extends MemoryTelemetryStore {
  mode: Mode = 'up';
  readonly attempts: Array<{ id: string; rows: number; mayExist: boolean }> = [];
  hung = 0;
  /** When set, that many more inserts succeed, then every one hangs. */
  hangAfter: number | undefined;

  override async insert(batch: TelemetryBatch, options: InsertOptions = {}): Promise<void> {
    this.attempts.push({ id: batch.id, rows: batch.rows.length, mayExist: options.mayExist === true });
    if (this.hangAfter !== undefined && this.mode === 'up' && this.hangAfter-- <= 0) this.mode = 'hang';
    const mode = this.mode;
    if (mode === 'down') throw new TelemetryStoreError('connect ECONNREFUSED', true);
    if (mode === 'reject') throw new TelemetryStoreError('Cannot parse input', false);
    if (mode === 'hang') {
      this.hung++;
      return new Promise<void>(() => {});
    }
    await super.insert(batch, options);
    if (mode === 'store-then-fail' || mode === 'store-then-down') {
      this.mode = mode === 'store-then-fail' ? 'up' : 'down';
      throw new TelemetryStoreError('socket hang up', true);
    }
  }

  async paths(): Promise<string[]> {
    const rows: RequestRow[] = [];
    for await (const row of this.exportRequests({ from: 0, to: T0 * 2 })) rows.push(row);
    return rows.map((r) => r.path);
  }
}

let seq = 0;
function rows(n: number): RequestRow[] {
  return Array.from({ length: n }, () => {
    const i = seq++;
    return request({ ts: T0 + i, sessionHash: A, path: `/r/${i}`, route: '/r/:id' });
  });
}
const pathsOf = (list: RequestRow[]) => list.map((r) => r.path);
/** Generous: the machine running tests may be busy. */
const eventually = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

describe('TelemetryWriter', () => {
  let dir: string;
  let store: SwitchableStore;
  const writers: TelemetryWriter[] = [];

  async function writer(options: Partial<TelemetryWriterOptions> = {}): Promise<TelemetryWriter> {
    const w = await TelemetryWriter.open({
      store,
      batchSize: 5,
      flushIntervalMs: 20,
      retryMinMs: 10,
      retryMaxMs: 40,
      ...options,
    });
    writers.push(w);
    return w;
  }

  beforeEach(async () => {
    seq = 0;
    store = new SwitchableStore();
    dir = await mkdtemp(path.join(tmpdir(), 'downspin-spill-'));
  });
  afterEach(async () => {
    store.mode = 'up';
    for (const w of writers.splice(0)) await w.close(200);
    await rm(dir, { recursive: true, force: true });
  });

  it('inserts full batches at once and a partial batch after the flush interval', async () => {
    const w = await writer({ flushIntervalMs: 60_000 });
    const sent = rows(12);
    w.writeRequests(sent);
    await eventually(() => expect(store.attempts.map((a) => a.rows)).toEqual([5, 5]));
    expect(w.stats().queued).toBe(2);

    const timed = await writer({ batchSize: 1000, flushIntervalMs: 30 });
    timed.writeRequests(rows(2));
    await eventually(() => expect(store.attempts.map((a) => a.rows)).toEqual([5, 5, 2]));
    await w.flush();
    expect(await store.paths()).toHaveLength(14);
  });

  it('cuts partial batches as often as the store asks (the memory store 25 ms) unless told otherwise, and 1 s when neither says', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] });
    const turns = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      const asking = Object.assign(new SwitchableStore(), { flushIntervalMs: 5000 });
      writers.push(await TelemetryWriter.open({ store: asking, batchSize: 1000 }));
      writers[0]!.writeRequests(rows(2));
      vi.advanceTimersByTime(4999);
      await turns();
      expect(asking.attempts).toEqual([]);
      vi.advanceTimersByTime(1);
      await eventually(() => expect(asking.attempts.map((a) => a.rows)).toEqual([2]));

      writers.push(await TelemetryWriter.open({ store: asking, batchSize: 1000, flushIntervalMs: 100 }));
      writers[1]!.writeRequests(rows(3));
      vi.advanceTimersByTime(100);
      await eventually(() => expect(asking.attempts.map((a) => a.rows)).toEqual([2, 3]));

      // A store that does not say.
      const silent = new SwitchableStore();
      Object.defineProperty(silent, 'flushIntervalMs', { value: undefined });
      writers.push(await TelemetryWriter.open({ store: silent, batchSize: 1000 }));
      writers[2]!.writeRequests(rows(4));
      vi.advanceTimersByTime(999);
      await turns();
      expect(silent.attempts).toEqual([]);
      vi.advanceTimersByTime(1);
      await eventually(() => expect(silent.attempts.map((a) => a.rows)).toEqual([4]));

      // The memory store asks for 25 ms.
      writers.push(await TelemetryWriter.open({ store, batchSize: 1000 }));
      writers[3]!.writeRequests(rows(5));
      vi.advanceTimersByTime(24);
      await turns();
      expect(store.attempts).toEqual([]);
      vi.advanceTimersByTime(1);
      await eventually(() => expect(store.attempts.map((a) => a.rows)).toEqual([5]));
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps no flush timer while nothing waits, so an idle proxy is not woken 40 times a second', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    // Ticks of 25 ms, each followed by a turn for the insert, until `done` (vi.waitFor would add an interval of its own).
    const tickUntil = async (done: () => boolean): Promise<void> => {
      for (let tick = 0; tick < 40 && !done(); tick++) {
        vi.advanceTimersByTime(25);
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    try {
      const w = await TelemetryWriter.open({ store, batchSize: 1000, flushIntervalMs: 25 });
      writers.push(w);
      expect(vi.getTimerCount()).toBe(0);
      w.request(rows(1)[0]!, '127.0.0.1');
      expect(vi.getTimerCount()).toBe(1);
      await tickUntil(() => w.stats().written === 1);
      expect(w.stats().written).toBe(1);
      // A tick that finds nothing waiting (the batch done) stops the timer; the next row starts it again.
      await tickUntil(() => vi.getTimerCount() === 0);
      expect(vi.getTimerCount()).toBe(0);
      w.writeRequests(rows(2));
      expect(vi.getTimerCount()).toBe(1);
      await tickUntil(() => w.stats().written === 3);
      expect(w.stats().written).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('delivers WebSocket rows and client events as well as requests, through a spill', async () => {
    const w = await writer({ spillDir: dir, maxQueuedRows: 4 });
    store.mode = 'down';
    const sockets = [ws({ ts: T0 + 1, sessionHash: A }), ws({ ts: T0 + 2, sessionHash: A, closeCode: 4001 })];
    const events = [e1, e2, e3];
    w.writeWebSockets(sockets);
    w.writeClientEvents(events);
    w.writeRequests(rows(3));
    await w.flush();
    expect(w.stats().spilled).toBeGreaterThan(0);
    store.mode = 'up';
    await eventually(() => expect(w.stats().written).toBe(8));
    expect(w.stats().dropped).toBe(0);
    const history = await store.sessionHistory({ from: 0, to: T0 * 2, session: A });
    expect(history.webSockets).toEqual([...sockets].reverse());
    expect(history.clientEvents).toEqual([...events].reverse());
    expect(history.requests).toHaveLength(3);
  });

  it('keeps rows in memory while the store is down and writes them, in order, once it is back', async () => {
    const w = await writer();
    store.mode = 'down';
    const sent = [...rows(7), ...rows(6)];
    w.writeRequests(sent.slice(0, 7));
    w.writeRequests(sent.slice(7));
    await w.flush();
    expect(w.stats()).toMatchObject({ queued: 13, written: 0, storeOk: false, lastError: 'connect ECONNREFUSED' });

    store.mode = 'up';
    await eventually(() => expect(w.stats().written).toBe(13));
    expect(await store.paths()).toEqual(pathsOf(sent));
    expect(w.stats()).toMatchObject({ queued: 0, dropped: 0, spilled: 0, storeOk: true });
  });

  it('spills to disk past its memory bound and replays in order when the store returns', async () => {
    const w = await writer({ spillDir: dir, maxQueuedRows: 10 });
    store.mode = 'down';
    const sent: RequestRow[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = rows(5);
      sent.push(...batch);
      w.writeRequests(batch);
      await w.flush();
      expect(w.stats().queued).toBeLessThanOrEqual(20);
    }
    const down = w.stats();
    expect(down.spilled).toBeGreaterThanOrEqual(30);
    expect(down.queued + down.onDisk).toBe(50);
    expect((await readdir(dir)).some((f) => f.endsWith('.ndjson'))).toBe(true);

    store.mode = 'up';
    await eventually(() => expect(w.stats().written).toBe(50));
    expect(await store.paths()).toEqual(pathsOf(sent));
    const after = w.stats();
    expect(after).toMatchObject({ queued: 0, onDisk: 0, dropped: 0, replayed: down.spilled });
    await eventually(async () => expect((await readdir(dir)).filter((f) => f.endsWith('.ndjson'))).toEqual([]));
  });

  it('drops rows only past the disk bound, counting every one', async () => {
    const w = await writer({ spillDir: dir, maxQueuedRows: 10, maxSpillBytes: 4000 });
    store.mode = 'down';
    for (let i = 0; i < 20; i++) {
      w.writeRequests(rows(5));
      await w.flush();
    }
    expect(w.stats().dropped).toBeGreaterThan(0);
    store.mode = 'up';
    await eventually(() => {
      const s = w.stats();
      expect(s.queued + s.onDisk).toBe(0);
    });
    const s = w.stats();
    expect(s.written + s.dropped).toBe(100);
    const stored = await store.paths();
    expect(stored).toHaveLength(s.written);
    expect(new Set(stored).size).toBe(stored.length);
  });

  it('without a spill dir, drops what does not fit in memory and counts it', async () => {
    const w = await writer({ maxQueuedRows: 10 });
    store.mode = 'down';
    w.writeRequests(rows(25));
    expect(w.stats()).toMatchObject({ queued: 10, dropped: 15 });
  });

  it('retries a batch whose insert failed after storing it without storing it twice', async () => {
    const w = await writer();
    store.mode = 'store-then-fail';
    const sent = rows(5);
    w.writeRequests(sent);
    await eventually(() => expect(w.stats().written).toBe(5));
    expect(await store.paths()).toEqual(pathsOf(sent));
    const [first, retry] = store.attempts;
    expect(retry).toEqual({ ...first, mayExist: true });
  });

  it('drops a batch the store keeps refusing as invalid, counts it, and goes on with the next', async () => {
    const w = await writer({ maxRejections: 3 });
    store.mode = 'reject';
    w.writeRequests(rows(5));
    await eventually(() => expect(w.stats().dropped).toBe(5));
    expect(store.attempts).toHaveLength(3);
    store.mode = 'up';
    w.writeRequests(rows(5));
    await eventually(() => expect(w.stats().written).toBe(5));
  });

  it('on close, spills what it could not write; the next writer on the same dir writes it exactly once', async () => {
    const first = await writer({ spillDir: dir });
    store.mode = 'store-then-down';
    const sent = rows(12);
    first.writeRequests(sent);
    await eventually(() => expect(store.mode).toBe('down'));
    const closed = await first.close(100);
    expect(closed.onDisk).toBe(12);
    expect(closed.dropped).toBe(0);
    first.writeRequests(rows(1));
    expect(first.stats().dropped).toBe(1);

    store.mode = 'up';
    const second = await writer({ spillDir: dir });
    await eventually(() => expect(second.stats().written).toBe(12));
    expect(await store.paths()).toEqual(pathsOf(sent));
    expect(second.stats().replayed).toBe(12);
  });

  it('after a crash mid-replay, the next process replays the segment without duplicating what was written', async () => {
    const crashed = await writer({ spillDir: dir, maxQueuedRows: 5 });
    store.mode = 'down';
    const sent: RequestRow[] = [];
    for (let i = 0; i < 6; i++) {
      const batch = rows(5);
      sent.push(...batch);
      crashed.writeRequests(batch);
      await crashed.flush();
    }
    expect(crashed.stats().onDisk).toBeGreaterThan(10);
    // The store comes back; three batches get written (the one in memory, two from disk), then the process "dies" inside the next insert.
    store.hangAfter = 3;
    store.mode = 'up';
    await eventually(() => expect(store.hung).toBe(1));
    expect(crashed.stats()).toMatchObject({ written: 15, replayed: 10 });
    writers.splice(writers.indexOf(crashed), 1);
    await rm(path.join(dir, 'lock')); // a dead process's lock is stale

    store.hangAfter = undefined;
    store.mode = 'up';
    const next = await writer({ spillDir: dir });
    await eventually(async () => expect(await store.paths()).toHaveLength(30));
    await next.flush();
    expect(await store.paths()).toEqual(pathsOf(sent));
  });

  it('takes single rows from the proxy under the same one bound and one drop counter', async () => {
    const w = await writer({ maxQueuedRows: 10 });
    store.mode = 'down';
    for (const row of rows(25)) w.request(row, '127.0.0.1');
    expect(w.stats()).toMatchObject({ queued: 10, dropped: 15 });
  });

  it('fills route and country from each row\'s source off the push, before the row is stored', async () => {
    const w = await writer({ batchSize: 3 });
    const calls: Array<[string, number, number]> = [];
    w.prepareWith((kind, batch, sources, from, to) => {
      calls.push([kind, from, to]);
      for (let i = from; i < to; i++) {
        batch[i]!.route = `${batch[i]!.path}?`;
        batch[i]!.country = sources[i] === '10.0.0.1' ? 'LAN' : 'LO';
      }
    });
    const sent = rows(4).map((row) => ({ ...row, route: '', country: '' }));
    sent.forEach((row, i) => w.request(row, i % 2 === 0 ? '10.0.0.1' : '127.0.0.1'));
    const socket = { ...ws({ ts: T0 + 9, sessionHash: A }), route: '', country: '' };
    w.webSocket(socket, '10.0.0.1');
    // Nothing was computed on the calls themselves (the request path).
    expect(calls).toEqual([]);
    expect(sent.map((row) => row.country)).toEqual(['', '', '', '']);
    await w.flush();
    const stored = await store.sessionHistory({ from: 0, to: T0 * 2, session: A });
    expect(stored.requests.map((row) => [row.route, row.country]).reverse()).toEqual(
      sent.map((row, i) => [`${row.path}?`, i % 2 === 0 ? 'LAN' : 'LO']),
    );
    expect(stored.webSockets.map((row) => row.country)).toEqual(['LAN']);
    expect(w.stats()).toMatchObject({ written: 5, dropped: 0, queued: 0 });
  });

  it('prepares a burst a thousand rows per event-loop turn, not all at once', async () => {
    const w = await writer({ batchSize: 20_000, flushIntervalMs: 60_000 });
    const calls: number[] = [];
    w.prepareWith((_kind, _rows, _sources, from, to) => void calls.push(to - from));
    for (const row of rows(2500)) w.request(row, '127.0.0.1');
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([1000]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([1000, 1000]);
    await w.flush();
    expect(calls).toEqual([1000, 1000, 500]);
    expect(w.stats().written).toBe(2500);
  });

  it('cuts a large batch over several event-loop turns, a thousand rows a turn, and a flush interval\'s partial batch the same way', async () => {
    const store = new SwitchableStore();
    const w = await writer({ store, batchSize: 2500, flushIntervalMs: 60_000 });
    const sent = rows(2500);
    for (const row of sent) w.request(row, '127.0.0.1');
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // Turn 1 prepares 1,000 rows into the hold and takes 1,000 of them for the batch; so on.
    await turn();
    await turn();
    expect(store.attempts).toEqual([]);
    expect(w.stats().queued).toBe(2500);
    await eventually(() => expect(store.attempts).toEqual([{ id: expect.any(String), rows: 2500, mayExist: false }]));
    expect(await store.paths()).toEqual(pathsOf(sent));
    await w.close();
  });
});

