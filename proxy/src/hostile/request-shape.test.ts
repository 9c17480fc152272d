import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { eventually, json, RawConnection, request } from '@downspin/testing';
import { MemoryBus } from '@downspin/bus';
import { MAX_REQUEST_HEADERS } from '../request-limits.js';
import { startProxy, type RunningProxy } from '../server.js';
import { startHarness, type ProxyHarness } from '../test-harness.js';
import { startProxiedLoggingUpstream, type ProxiedLoggingUpstream } from './logging-upstream.js';

/** `count` short headers (`z0:1` …), so many fit in Node's 16 KiB header limit. */
const manyHeaders = (count: number): string =>
  Array.from({ length: count }, (_, i) => `z${i.toString(36)}:1\r\n`).join('');

describe('request shape at the proxy (issue 12.9, real sockets)', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it("forwards an app cookie whose name merely contains downspin_sid, with the app's other cookies", async () => {
    h.upstream.reset();
    const res = await request(`${h.proxy.url}/echo`, { headers: { cookie: 'x_downspin_sid=appvalue; other=1' } });
    expect(res.status).toBe(200);
    expect(json<{ headers: IncomingHttpHeaders }>(res).headers.cookie).toBe('x_downspin_sid=appvalue; other=1');
    // No session cookie was sent, so one is assigned.
    expect(String(res.headers['set-cookie'])).toMatch(/downspin_sid=[\w-]+;/);

    const both = await request(`${h.proxy.url}/echo`, { headers: { cookie: 'x_downspin_sid=appvalue; downspin_sid=mine; other=1' } });
    expect(both.status).toBe(200);
    expect(json<{ headers: IncomingHttpHeaders }>(both).headers.cookie).toBe('x_downspin_sid=appvalue; other=1');
    expect(h.proxy.sessions.get('mine')).toBeDefined();
  });

  it('applies route-scoped shaping to an absolute-form target by its path', async () => {
    await h.profile('absolute', { routes: ['/api/**'], faults: { errorRate: 1 } });
    h.upstream.reset();
    const client = await RawConnection.open(h.proxy.port);
    client.write('GET http://other.example/api/x HTTP/1.1\r\nHost: other.example\r\nx-downspin-session: absolute\r\nConnection: close\r\n\r\n');
    const received = await client.untilClosed();
    expect(received).toMatch(/^HTTP\/1\.1 503/);
    expect(received).toContain('injected_fault');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('forwards OPTIONS * in asterisk-form', async () => {
    h.upstream.reset();
    const client = await RawConnection.open(h.proxy.port);
    client.write('OPTIONS * HTTP/1.1\r\nHost: app\r\nx-downspin-session: star\r\nConnection: close\r\n\r\n');
    expect(await client.untilClosed()).toMatch(/^HTTP\/1\.1 200/);
    expect(h.upstream.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['OPTIONS *']);
  });

  it('strips hop-by-hop headers and the headers named in Connection, keeps framing headers', async () => {
    h.upstream.reset();
    const client = await RawConnection.open(h.proxy.port);
    client.write(
      'POST /echo HTTP/1.1\r\nHost: app\r\nx-downspin-session: hop\r\n' +
        'Connection: close, X-Secret, X-Forwarded-For, Content-Length\r\nX-Secret: 1\r\nX-Forwarded-For: 6.6.6.6\r\n' +
        'Keep-Alive: timeout=99\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nX-Kept: yes\r\nContent-Length: 5\r\n\r\nhello',
    );
    expect(await client.untilClosed()).toMatch(/^HTTP\/1\.1 200/);
    expect(h.upstream.requests).toHaveLength(1);
    const seen = h.upstream.requests[0]!;
    expect(seen.headers['x-secret']).toBeUndefined();
    expect(seen.headers['keep-alive']).toBeUndefined();
    expect(seen.headers.te).toBeUndefined();
    expect(seen.headers['proxy-connection']).toBeUndefined();
    // The client's own X-Forwarded-For was named away; the proxy's is set.
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-kept']).toBe('yes');
    expect(seen.bodyBytes).toBe(5);
  });

  it('refuses an h2c upgrade with 400 and opens nothing upstream', async () => {
    h.upstream.reset();
    const client = await RawConnection.open(h.proxy.port);
    client.write(
      'GET /ws HTTP/1.1\r\nHost: app\r\nx-downspin-session: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
        'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    );
    const received = await client.untilClosed();
    expect(received).toMatch(/^HTTP\/1\.1 400/);
    expect(received).toContain('unsupported_upgrade');
    expect(h.upstream.requests).toHaveLength(0);
    expect(h.upstream.sockets.size).toBe(0);
  });

  it(`refuses more than ${MAX_REQUEST_HEADERS} headers with 431 and forwards ${MAX_REQUEST_HEADERS} whole`, async () => {
    h.upstream.reset();
    const over = await RawConnection.open(h.proxy.port);
    over.write(`GET /echo HTTP/1.1\r\nHost: app\r\nx-downspin-session: many\r\n${manyHeaders(2000)}\r\n`);
    const refused = await over.untilClosed();
    expect(refused).toMatch(/^HTTP\/1\.1 431/);
    expect(h.upstream.requests).toHaveLength(0);

    const within = await RawConnection.open(h.proxy.port);
    within.write(`GET /echo HTTP/1.1\r\nHost: app\r\nx-downspin-session: many\r\nConnection: close\r\n${manyHeaders(MAX_REQUEST_HEADERS - 3)}\r\n`);
    expect(await within.untilClosed()).toMatch(/^HTTP\/1\.1 200/);
    const seen = h.upstream.requests[0]!;
    const sent = seen.rawHeaders.filter((name, i) => i % 2 === 0 && /^z[0-9a-z]+$/.test(name));
    expect(sent).toHaveLength(MAX_REQUEST_HEADERS - 3);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('WebSocket upgrade headers named in Connection (issue 12.9)', () => {
  let wss: WebSocketServer;
  let proxy: RunningProxy;
  let bus: MemoryBus;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    wss.on('connection', (_socket, req) => seen.push(req.headers));
    bus = new MemoryBus();
    const { port } = wss.address() as { port: number };
    proxy = await startProxy({ target: `http://127.0.0.1:${port}`, port: 0, bus, loadShaping: async () => [] });
  });
  afterAll(async () => {
    await proxy.close();
    wss.close();
    await bus.close();
  });

  it('does not forward a header the client named in Connection', async () => {
    // Raw bytes: the ws client library writes its own Connection header.
    const client = await RawConnection.open(proxy.port);
    client.write(
      'GET /ws HTTP/1.1\r\nHost: app\r\nx-downspin-session: ws-hop\r\nConnection: Upgrade, X-Secret\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Secret: 1\r\nX-Kept: yes\r\n\r\n',
    );
    await client.until((received) => received.startsWith('HTTP/1.1 101'));
    client.destroy();
    await eventually(() => expect(seen).toHaveLength(1));
    expect(seen[0]!['x-secret']).toBeUndefined();
    expect(seen[0]!['x-kept']).toBe('yes');
  });
});

describe("the upstream's hop-by-hop response headers (issue 12.9)", () => {
  let stack: ProxiedLoggingUpstream;
  let proxy: RunningProxy;
  beforeAll(async () => {
    // This upstream keeps idle connections 60 s and says so in `Keep-Alive: timeout=60`.
    stack = await startProxiedLoggingUpstream();
    ({ proxy } = stack);
  });
  afterAll(async () => stack.close());

  it("does not pass on the upstream's Keep-Alive timeout (the client would reuse connections the proxy closed)", async () => {
    const client = await RawConnection.open(proxy.port);
    client.write('GET /ka HTTP/1.1\r\nHost: app\r\nx-downspin-session: ka\r\n\r\n');
    const received = await client.until((bytes) => bytes.endsWith('ok'));
    client.destroy();
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received.toLowerCase()).not.toContain('timeout=60');
  });
});
