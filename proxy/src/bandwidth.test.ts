import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, request } from '@downspin/testing';
import { startHarness, type ProxyHarness } from './test-harness.js';

const MIB = 1024 * 1024;
/** 8,000 kbit/s = 1,000,000 bytes/s: a 1 MiB body takes about a second. */
const KBPS = 8000;
const BYTES_PER_SECOND = (KBPS * 1000) / 8;

describe('bandwidth', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('paces a 1 MiB download to the requested rate within ±10%', async () => {
    await h.profile('down-1', { bandwidth: { downKbps: KBPS } });
    const res = await request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'down-1' } });
    expect(res.body.length).toBe(MIB);
    const rate = MIB / (res.ms / 1000);
    expect(rate / BYTES_PER_SECOND).toBeGreaterThan(0.9);
    expect(rate / BYTES_PER_SECOND).toBeLessThan(1.1);
  });

  it('paces a 1 MiB upload to the requested rate within ±10%', async () => {
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
    const rate = MIB / (seen.ms / 1000);
    expect(rate / BYTES_PER_SECOND).toBeGreaterThan(0.9);
    expect(rate / BYTES_PER_SECOND).toBeLessThan(1.1);
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
    const combined = (2 * MIB) / (elapsed / 1000);
    expect(combined / BYTES_PER_SECOND).toBeGreaterThan(0.9);
    expect(combined / BYTES_PER_SECOND).toBeLessThan(1.1);
    // Interleaved, not one after the other: both finish near the end.
    expect(Math.min(a.ms, b.ms) / Math.max(a.ms, b.ms)).toBeGreaterThan(0.8);
  });

  it('does not slow another session', async () => {
    await h.profile('slow-2', { bandwidth: { downKbps: 800 } });
    const slow = request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'slow-2' } });
    const other = await request(`${h.proxy.url}/bytes/${MIB}`, { headers: { 'x-downspin-session': 'free-2' } });
    expect(other.ms).toBeLessThan(500);
    await h.shape('slow-2', { mode: 'none' });
    // Shaping removed mid-download: the rest of the body arrives at full speed, nothing lost.
    const done = await slow;
    expect(done.body.length).toBe(MIB);
    expect(done.ms).toBeLessThan(5000);
  });
});
