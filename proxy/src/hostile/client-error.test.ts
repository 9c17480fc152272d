import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection, statusLines } from '@downspin/testing';
import { startHarness, type ProxyHarness } from '../test-harness.js';

const BODY_BYTES = 32 * 1024;
const GARBAGE = 'GARBAGE\r\n\r\n';

/** The body of the first response: everything after its header block. */
const bodyOf = (received: string): string => received.slice(received.indexOf('\r\n\r\n') + 4);

describe('malformed input next to a response (issue 12.4, raw sockets)', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
    // 256 kbit/s: the 32 KiB body streams for about a second.
    await h.profile('paced', { bandwidth: { downKbps: 256 } });
  });
  afterAll(async () => h.close());

  it('a garbage line sent while a paced 32 KiB response streams never lands in its body', async () => {
    const client = await RawConnection.open(h.proxy.port);
    client.write(`GET /bytes/${BODY_BYTES} HTTP/1.1\r\nHost: app\r\nx-downspin-session: paced\r\n\r\n`);
    await client.until((received) => bodyOf(received).length >= 1024 && received.includes('\r\n\r\n'));
    client.write(GARBAGE);
    const received = await client.untilClosed();
    const body = bodyOf(received);
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).not.toContain('HTTP/1.1 400');
    // Cut short rather than corrupted: every byte that arrived is the upstream's.
    expect(body.length).toBeLessThan(BODY_BYTES);
    expect(body).toMatch(/^a*$/);
  });

  it('a valid request pipelined before a malformed one is never answered with the 400', async () => {
    h.upstream.reset();
    const client = await RawConnection.open(h.proxy.port);
    client.write(`GET /slow/300 HTTP/1.1\r\nHost: app\r\nx-downspin-session: pipe\r\n\r\n${GARBAGE}`);
    const received = await client.untilClosed();
    // The 400 would read as the answer to /slow/300; the connection is closed instead.
    expect(statusLines(received)).not.toContain(400);
    expect(received).toBe('');
  });

  it('still answers 400 at a message boundary: first request, and after a finished response', async () => {
    const fresh = await RawConnection.open(h.proxy.port);
    fresh.write(GARBAGE);
    expect(await fresh.untilClosed()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);

    const keptAlive = await RawConnection.open(h.proxy.port);
    keptAlive.write('GET /echo HTTP/1.1\r\nHost: app\r\nx-downspin-session: idle\r\n\r\n');
    await keptAlive.until((received) => received.endsWith('\r\n0\r\n\r\n'));
    keptAlive.write(GARBAGE);
    const received = await keptAlive.untilClosed();
    expect(statusLines(received)).toEqual([200, 400]);
  });
});
