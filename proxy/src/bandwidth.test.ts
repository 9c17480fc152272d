import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, request } from '@downspin/testing';
import { startHarness, type ProxyHarness } from './test-harness.js';

const MIB = 1024 * 1024;
/** 8,000 kbit/s = 1,000,000 bytes/s: a 1 MiB body takes about a second. */
const KBPS = 8000;
const BYTES_PER_SECOND = (KBPS * 1000) / 8;
/**
 * A paced transfer never beats the rate (a busy machine only slows it), so
 * these tests hold a floor on time; the rate the link keeps is the pacer's
 * decision, tested on fake timers in pacing/shared-link.test.ts, and its
 * accuracy over real sockets is the bench's (`npm run bench`, bandwidth).
 */
const notFasterThanAsked = (bytes: number, ms: number): void => expect(bytes / (ms / 1000) / BYTES_PER_SECOND).toBeLessThan(1.1);

describe('bandwidth', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('paces a 1 MiB download through the session link at the requested rate', async () => {
    await h.profile('down-1', { bandwidth: { downKbps: KBPS } });
    const res = await request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'down-1' } });
    expect(res.body.length).toBe(MIB);
    notFasterThanAsked(MIB, res.ms);
    const link = h.proxy.sessions.get('down-1')!.linkDown()!;
    expect(link.bytesPerSecond).toBe(BYTES_PER_SECOND);
    expect(link.bytesPassed).toBeGreaterThanOrEqual(MIB);
  });

  it('paces a 1 MiB upload through the session link at the requested rate', async () => {
    await h.profile('up-1', { bandwidth: { upKbps: KBPS } });
    const body = Buffer.alloc(MIB, 7);
    const res = await request(`${h.proxy.url}/upload`, {
      method: 'POST',
      headers: { 'x-downspin-session': 'up-1', 'content-type': 'application/octet-stream' },
      body,
    });
    const seen = json<{ bytes: number; ms: number }>(res);
    expect(seen.bytes).toBe(MIB);
    // The upstream measured first to last body byte.
    notFasterThanAsked(MIB, seen.ms);
    const link = h.proxy.sessions.get('up-1')!.linkUp()!;
    expect(link.bytesPerSecond).toBe(BYTES_PER_SECOND);
    expect(link.bytesPassed).toBeGreaterThanOrEqual(MIB);
  });

  it('shares one budget between two parallel downloads of the same session', async () => {
    await h.profile('shared-1', { bandwidth: { downKbps: KBPS } });
    const started = performance.now();
    const [a, b] = await Promise.all([
      request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'shared-1' } }),
      request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'shared-1' } }),
    ]);
    const elapsed = performance.now() - started;
    expect(a.body.length + b.body.length).toBe(2 * MIB);
    notFasterThanAsked(2 * MIB, elapsed);
    // Interleaved, not one after the other: even the first to finish needed most of both
    // bodies' time (served in turn, it would have finished at half).
    notFasterThanAsked(2 * MIB * 0.8, Math.min(a.ms, b.ms));
    expect(h.proxy.sessions.get('shared-1')!.linkDown()!.bytesPassed).toBeGreaterThanOrEqual(2 * MIB);
  });

  it('does not slow another session', async () => {
    await h.profile('slow-2', { bandwidth: { downKbps: 800 } });
    const slow = request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'slow-2' } });
    const other = await request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'free-2' } });
    expect(other.body.length).toBe(MIB);
    // The other session has no link at all: nothing paces its bytes.
    expect(h.proxy.sessions.get('free-2')!.linkDown()).toBeUndefined();
    await h.shape('slow-2', { mode: 'none' });
    // Shaping removed mid-download: the rest of the body arrives at full speed, nothing lost.
    const done = await slow;
    expect(done.body.length).toBe(MIB);
    expect(done.ms).toBeLessThan(5000);
  });
});
