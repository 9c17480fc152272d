import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, request } from '@downspin/testing';
import { absoluteGet } from './forward/test-origin.js';
import { startHarness, type ProxyHarness } from './test-harness.js';

/**
 * An upstream that answers the first request on each connection and closes
 * the connection when a second one arrives on it: what a server does when its
 * keep-alive timeout fires just as the proxy reuses the connection (the race
 * Node's docs describe under `request.reusedSocket`).
 */
interface ClosingUpstream {
  url: string;
  /** Request lines seen, in order, and on which connection ("GET /path new", "GET /path reused"). */
  seen: string[];
  /** Called with each request's head. */
  onHead: ((head: string) => void) | undefined;
  connections(): number;
  /** Connections answered with `Keep-Alive: timeout=2` that the proxy then closed. */
  endedByProxy: number;
  stop(): Promise<void>;
}

async function startClosingUpstream(): Promise<ClosingUpstream> {
  const seen: string[] = [];
  let connections = 0;
  const upstreamRef: Pick<ClosingUpstream, 'onHead' | 'endedByProxy'> = { onHead: undefined, endedByProxy: 0 };
  const server = net.createServer((socket) => {
    connections++;
    let answered = false;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.slice(0, end);
      buffered = '';
      const line = head.split(' ', 2).join(' ');
      seen.push(`${line} ${answered ? 'reused' : 'new'}`);
      upstreamRef.onHead?.(head);
      if (answered || line === 'GET /dies') {
        socket.destroy();
        return;
      }
      answered = true;
      const hint = line === 'GET /hinted' ? 'keep-alive: timeout=2\r\n' : '';
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: keep-alive\r\n${hint}\r\nok`);
      if (hint !== '') socket.once('end', () => upstreamRef.endedByProxy++);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return Object.assign(upstreamRef, {
    url: `http://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

describe('a kept-alive upstream connection closed as it is reused', () => {
  let upstream: ClosingUpstream;
  let h: ProxyHarness;
  beforeAll(async () => {
    upstream = await startClosingUpstream();
    h = await startHarness({ target: upstream.url });
  });
  afterAll(async () => {
    await h.close();
    await upstream.stop();
  });

  it('sends a GET again on a new connection, so the client gets the answer and not a 502', async () => {
    const headers = { 'x-downspin-session': 'reuse-1' };
    expect((await request(`${h.proxy.url}/first`, { headers })).status).toBe(200);
    const before = upstream.connections();
    const retriesBefore = h.proxy.stats().upstreamRetries;
    const res = await request(`${h.proxy.url}/asset.js`, { headers });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('ok');
    // Sent on the kept-alive connection, which closed, then once more on a new one.
    expect(upstream.seen.filter((line) => line.startsWith('GET /asset.js '))).toEqual(['GET /asset.js reused', 'GET /asset.js new']);
    expect(upstream.connections()).toBe(before + 1);
    expect(h.proxy.stats().upstreamRetries - retriesBefore).toBe(1);
  });

  it('does not send a request with a body twice: the client gets the 502', async () => {
    const headers = { 'x-downspin-session': 'reuse-2', 'content-type': 'text/plain' };
    expect((await request(`${h.proxy.url}/first`, { headers: { 'x-downspin-session': 'reuse-2' } })).status).toBe(200);
    const retriesBefore = h.proxy.stats().upstreamRetries;
    const res = await request(`${h.proxy.url}/orders`, { method: 'POST', headers, body: 'one order' });
    expect(res.status).toBe(502);
    expect(json(res)).toMatchObject({ error: { code: 'upstream_unreachable' } });
    expect(upstream.seen.filter((line) => line.startsWith('POST /orders '))).toEqual(['POST /orders reused']);
    expect(h.proxy.stats().upstreamRetries).toBe(retriesBefore);
  });

  it('does not send a GET with a chunked body twice: its Transfer-Encoding is stripped before the retry decision', async () => {
    const headers = { 'x-downspin-session': 'reuse-7' };
    expect((await request(`${h.proxy.url}/first`, { headers })).status).toBe(200);
    const res = await request(`${h.proxy.url}/search`, { headers: { ...headers, 'transfer-encoding': 'chunked' }, body: '{"q":"shoes"}' });
    expect(res.status).toBe(502);
    expect(upstream.seen.filter((line) => line.startsWith('GET /search '))).toEqual(['GET /search reused']);
  });

  it('tries each pooled connection that closes, then a new one', async () => {
    const headers = { 'x-downspin-session': 'reuse-3' };
    // Two answered connections in the pool, each closing on its next request.
    await Promise.all([request(`${h.proxy.url}/a`, { headers }), request(`${h.proxy.url}/b`, { headers })]);
    const before = upstream.connections();
    const res = await request(`${h.proxy.url}/twice`, { headers });
    expect(res.status).toBe(200);
    expect(upstream.seen.filter((line) => line.startsWith('GET /twice '))).toEqual(['GET /twice reused', 'GET /twice reused', 'GET /twice new']);
    expect(upstream.connections()).toBe(before + 1);
  });

  it('does not try again when a new connection fails: that upstream is broken, the client gets the 502', async () => {
    const res = await request(`${h.proxy.url}/dies`, { headers: { 'x-downspin-session': 'reuse-4' } });
    expect(res.status).toBe(502);
    // Tried on the pooled connections (left by the tests above) and on one new one, which is where it stops.
    const tries = upstream.seen.filter((line) => line.startsWith('GET /dies '));
    expect(tries.at(-1)).toBe('GET /dies new');
    expect(tries.filter((line) => line === 'GET /dies new')).toHaveLength(1);
  });

  it('forwards a tried-again request with X-Forwarded-For naming the client once', async () => {
    const headers = { 'x-downspin-session': 'reuse-5' };
    await request(`${h.proxy.url}/first`, { headers });
    const heads: string[] = [];
    upstream.onHead = (head) => heads.push(head);
    expect((await request(`${h.proxy.url}/again`, { headers })).status).toBe(200);
    upstream.onHead = undefined;
    expect(heads).toHaveLength(2);
    for (const head of heads) expect(head.match(/^x-forwarded-for: (.*)$/im)?.[1]).toMatch(/^[^,]+$/);
  });

  it('closes an idle connection before the timeout the upstream announced, so it is not reused as the upstream closes it', async () => {
    expect((await request(`${h.proxy.url}/hinted`, { headers: { 'x-downspin-session': 'reuse-6' } })).status).toBe(200);
    // The proxy's own idle timeout is 30 s; `Keep-Alive: timeout=2` makes it a second.
    await eventually(() => expect(upstream.endedByProxy).toBe(1), 10_000);
  });
});

describe('forward mode: a kept-alive connection to a listed host closed as it is reused', () => {
  it('sends the GET again to that host, X-Forwarded-For naming the client once', async () => {
    const upstream = await startClosingUpstream();
    const port = Number(new URL(upstream.url).port);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-retry-'));
    const h = await startHarness({ forward: { intercept: ['closing.test'], resolve: [`closing.test:${port}:127.0.0.1`], dataDir } });
    try {
      const url = `http://closing.test:${port}`;
      expect((await absoluteGet(h.proxy.port, `${url}/first`)).status).toBe(200);
      const heads: string[] = [];
      upstream.onHead = (head) => heads.push(head);
      const res = await absoluteGet(h.proxy.port, `${url}/asset.js`);
      expect(res.status).toBe(200);
      expect(upstream.seen.filter((line) => line.startsWith('GET /asset.js '))).toEqual(['GET /asset.js reused', 'GET /asset.js new']);
      for (const head of heads) {
        expect(head).toMatch(new RegExp(`^host: closing\\.test:${port}$`, 'im'));
        expect(head.match(/^x-forwarded-for: (.*)$/im)?.[1]).toMatch(/^[^,]+$/);
      }
    } finally {
      await h.close();
      await upstream.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
