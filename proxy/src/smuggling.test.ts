import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyServer } from 'http-proxy-3';
import { eventually, RawConnection, request, startTestUpstream, type TestUpstream } from '@downspin/testing';
import { withoutDeleteLength } from './forwarder.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

/**
 * Sends raw bytes and collects what comes back until the server closes the
 * connection or `done` says the answer is complete (never a quiet period: on
 * a busy machine the first byte can take longer than any fixed wait).
 */
async function raw(port: number, payload: string, done: (received: string) => boolean = () => false): Promise<string> {
  const client = await RawConnection.open(port);
  client.write(payload);
  const received = await client.until((bytes) => client.closed || done(bytes));
  client.destroy();
  return received;
}

/** The upstream's echo answers chunked: the answer is complete at the last chunk. */
const lastChunk = (received: string): boolean => received.endsWith('\r\n0\r\n\r\n');

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: victim\r\n\r\n';
const chunked = (method: string): string =>
  `${method} /first HTTP/1.1\r\nHost: app\r\nx-downspin-session: smuggler\r\nTransfer-Encoding: chunked\r\n\r\n` +
  `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;

describe('request smuggling regression (raw sockets)', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  for (const method of ['DELETE', 'OPTIONS']) {
    it(`a chunked ${method} reaches upstream as one request with its body`, async () => {
      h.upstream.reset();
      const answer = await raw(h.proxy.port, chunked(method), lastChunk);
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      await eventually(() => expect(h.upstream.requests.map((r) => r.url)).toEqual(['/first']));
      expect(h.upstream.requests[0]!.bodyBytes).toBe(SMUGGLED.length);
      // A later request on the same upstream connection is not preceded by the smuggled one.
      await request(`${h.proxy.url}/after`, { headers: { 'x-downspin-session': 'smuggler' } });
      expect(h.upstream.requestUrls()).toEqual(['/first', '/after']);
    });
  }

  it('refuses Content-Length with Transfer-Encoding (CL+TE) with 400 and forwards nothing', async () => {
    h.upstream.reset();
    const payload =
      'POST /clte HTTP/1.1\r\nHost: app\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + SMUGGLED;
    const answer = await raw(h.proxy.port, payload);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('refuses obfuscated Transfer-Encoding and duplicate Content-Length', async () => {
    h.upstream.reset();
    const obfuscated = await raw(
      h.proxy.port,
      'POST /te HTTP/1.1\r\nHost: app\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n' + SMUGGLED,
    );
    const duplicate = await raw(
      h.proxy.port,
      'POST /cl HTTP/1.1\r\nHost: app\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n' + SMUGGLED,
    );
    expect(obfuscated).toMatch(/^HTTP\/1\.1 400/);
    expect(duplicate).toMatch(/^HTTP\/1\.1 400/);
    expect(h.upstream.requestUrls()).not.toContain('/smuggled');
  });
});

describe('the deleteLength pass this guards against', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startTestUpstream();
  });
  afterAll(async () => upstream.stop());

  async function viaPlainProxy(fixed: boolean): Promise<string[]> {
    upstream.reset();
    const agent = new http.Agent({ keepAlive: true });
    const proxy = createProxyServer({ target: upstream.url, agent });
    if (fixed) withoutDeleteLength(proxy);
    proxy.on('error', () => undefined);
    const server = http.createServer((req, res) => proxy.web(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    await raw(port, chunked('DELETE'), lastChunk);
    // A probe on the pooled upstream connection: a smuggled request left on it is parsed before the probe.
    await raw(port, 'GET /probe HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n');
    await eventually(() => expect(upstream.requestUrls()).toContain('/probe'));
    server.close();
    agent.destroy();
    return upstream.requestUrls();
  }

  it('smuggles a request through unpatched http-proxy-3, and not once the pass is removed', async () => {
    expect(await viaPlainProxy(false)).toContain('/smuggled');
    expect(await viaPlainProxy(true)).toEqual(['/first', '/probe']);
  });
});

describe('aborts and resets', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('survives clients that abort mid-download and mid-upload without leaking sockets', async () => {
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const req = http.get(`${h.proxy.url}/bytes/${8 * 1024 * 1024}`, { headers: { 'x-downspin-session': 'abort' }, agent: false });
        req.on('response', (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
      });
      const upload = http.request(`${h.proxy.url}/upload`, {
        method: 'POST',
        headers: { 'x-downspin-session': 'abort', 'content-length': '1000000' },
        agent: false,
      });
      upload.on('error', () => undefined);
      upload.write(Buffer.alloc(1000));
      upload.destroy();
    }
    await eventually(() => expect(h.proxy.stats().connections).toBe(0), 3000);
    const ok = await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'abort' } });
    expect(ok.status).toBe(200);
  });

  it('breaks the client response when the upstream resets mid-body, and keeps serving', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get(`${h.proxy.url}/reset`, { headers: { 'x-downspin-session': 'reset' }, agent: false }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve('ended cleanly'));
        res.on('error', () => resolve('broken'));
        res.on('aborted', () => resolve('broken'));
      });
      req.on('error', () => resolve('broken'));
    });
    expect(outcome).toBe('broken');
    const ok = await request(`${h.proxy.url}/echo`, { headers: { 'x-downspin-session': 'reset' } });
    expect(ok.status).toBe(200);
  });
});
