import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection, statusLines } from '@downspin/testing';
import { startControlServer, type RunningControlServer } from './server.js';

const BODY_BYTES = 32 * 1024;
const GARBAGE = 'GARBAGE\r\n\r\n';

/** 32 KiB of 'a' in 1 KiB pieces, one every 30 ms: about a second of streaming. */
function pacedBody(): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      controller.enqueue(new Uint8Array(1024).fill(97));
      sent += 1024;
      if (sent >= BODY_BYTES) controller.close();
    },
  });
}

describe('the control API server and malformed input next to a response (issue 12.4, raw sockets)', () => {
  let server: RunningControlServer;
  // /held answers only once the test lets it: the request is in flight for as long as the test needs.
  let release: () => void = () => undefined;
  beforeAll(async () => {
    const app = new Hono()
      .get('/paced', () => new Response(pacedBody(), { headers: { 'content-length': String(BODY_BYTES) } }))
      .get('/held', async (c) => {
        await new Promise<void>((resolve) => (release = resolve));
        return c.text('held');
      });
    server = await startControlServer({ app, port: 0 });
  });
  afterAll(async () => server.close());

  it('a garbage line sent mid-response never lands in the body', async () => {
    const client = await RawConnection.open(server.port);
    client.write('GET /paced HTTP/1.1\r\nHost: api\r\n\r\n');
    await client.until((received) => received.includes('\r\n\r\n') && received.split('\r\n\r\n')[1]!.length >= 1024);
    client.write(GARBAGE);
    const received = await client.untilClosed();
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received).not.toContain('HTTP/1.1 400');
    expect(received.slice(received.indexOf('\r\n\r\n') + 4)).toMatch(/^a*$/);
  });

  it('a valid request pipelined before a malformed one is never answered with the 400', async () => {
    const client = await RawConnection.open(server.port);
    client.write(`GET /held HTTP/1.1\r\nHost: api\r\n\r\n${GARBAGE}`);
    // The first request is still held when the parser meets the garbage: the socket must close without a 400.
    const received = await client.untilClosed();
    release();
    expect(statusLines(received)).not.toContain(400);
  });

  it('answers 400 to a malformed first request', async () => {
    const client = await RawConnection.open(server.port);
    client.write(GARBAGE);
    expect(await client.untilClosed()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
