import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, RawConnection, request } from '@downspin/testing';
import { startHarness, type ProxyHarness } from '../test-harness.js';

/** Short timeouts so the suite is fast; the defaults are 30 s. */
const HEADERS_TIMEOUT_MS = 400;
const BODY_IDLE_MS = 400;
/** Generous deadline for "closed": the stated bound is 1.25 × the timeout; CI is a busy 2-core machine. */
const DEADLINE_MS = 5000;

describe('slow headers and stalled bodies (issue 12.5, raw sockets)', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness({ headersTimeoutMs: HEADERS_TIMEOUT_MS, bodyIdleTimeoutMs: BODY_IDLE_MS });
  });
  afterAll(async () => h.close());

  it('closes a stalled body and releases its upstream connection', async () => {
    const before = h.upstream.connections();
    const stalled = await RawConnection.open(h.proxy.port);
    stalled.write('POST /upload HTTP/1.1\r\nHost: app\r\nx-downspin-session: stall\r\nContent-Length: 100000\r\n\r\n');
    stalled.write(Buffer.alloc(2000, 1));
    // The request went upstream with its body streaming: one more upstream connection.
    await eventually(() => expect(h.upstream.connections()).toBe(before + 1), DEADLINE_MS);
    await stalled.untilClosed(DEADLINE_MS);
    // Closing the client aborted the upstream request: its connection is gone, not pooled or held.
    await eventually(() => expect(h.upstream.connections()).toBe(before), DEADLINE_MS);
    expect(h.upstream.requests.find((r) => r.url === '/upload')!.bodyBytes).toBe(2000);
  });

  it('closes a body trickled a byte at a time (progress under 1 KiB per window)', async () => {
    const trickle = await RawConnection.open(h.proxy.port);
    trickle.write('POST /upload HTTP/1.1\r\nHost: app\r\nx-downspin-session: trickle\r\nContent-Length: 100000\r\n\r\n');
    const timer = setInterval(() => trickle.write('x'), 50);
    try {
      await trickle.untilClosed(DEADLINE_MS);
    } finally {
      clearInterval(timer);
    }
  });

  it('answers a slow header trickle 408 and closes it, while a shaped request on another connection gets its decided latency', async () => {
    await h.profile('steady', { latency: { ms: 150 } });
    const slow = await RawConnection.open(h.proxy.port);
    slow.write('GET /echo HTTP/1.1\r\nHost: app\r\n');
    const timer = setInterval(() => slow.write('X-Slow: 1\r\n'), 50);
    try {
      const normal = await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'steady' } });
      expect(normal.status).toBe(200);
      expect(normal.ms).toBeGreaterThanOrEqual(150);
      await eventually(() => {
        const row = h.telemetry.requests.find((r) => r.path === '/echo' && r.status === 200 && r.injectedMs > 0);
        expect(row?.injectedMs).toBe(150);
      });
      const received = await slow.untilClosed(DEADLINE_MS);
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(timer);
    }
    expect(h.upstream.requests.filter((r) => r.headers['x-slow'] !== undefined)).toHaveLength(0);
  });

  it('does not cut a paced upload that takes several idle windows', async () => {
    // 256 kbit/s = 32,000 bytes/s: 64 KiB takes about 2 s, five times the idle timeout.
    await h.profile('paced-up', { bandwidth: { upKbps: 256 } });
    const body = Buffer.alloc(64 * 1024, 7);
    const res = await request(`${h.proxy.url}/upload`, {
      method: 'POST',
      headers: { 'x-downspin-session': 'paced-up', 'content-type': 'application/octet-stream' },
      body,
    });
    expect(res.status).toBe(200);
    const seen = json<{ bytes: number; ms: number }>(res);
    expect(seen.bytes).toBe(body.length);
    expect(seen.ms).toBeGreaterThan(4 * BODY_IDLE_MS);
  });

  it('does not cut a body waiting out injected latency longer than the idle timeout', async () => {
    await h.profile('held', { latency: { ms: 1200 } });
    const body = Buffer.alloc(512 * 1024, 3);
    const res = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      const req = http.request(
        `${h.proxy.url}/upload`,
        { method: 'POST', headers: { 'x-downspin-session': 'held', 'content-length': String(body.length) }, agent: false },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes: (JSON.parse(text) as { bytes: number }).bytes }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(res).toEqual({ status: 200, bytes: body.length });
  });
});
