import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually, request, startTestUpstream, type TestUpstream } from '@downspin/testing';
import { startHarness, type ProxyHarness } from '../test-harness.js';
import { hashSessionId } from '../session/runtime.js';
import { absoluteGet, getThroughTunnel, openConnect, startTestOrigin, tlsOver, type OriginSeen, type TestOrigin } from './test-origin.js';

describe('forward mode: CONNECT with TLS interception into the one request path', () => {
  let origin: TestOrigin;
  let h: ProxyHarness;
  let dataDir: string;
  let ca: string;
  let plain: TestUpstream;
  /** Requests per session, summed over the proxy's activity reports (a session's own count restarts at each report). */
  const counted = new Map<string, number>();

  beforeAll(async () => {
    origin = await startTestOrigin();
    plain = await startTestUpstream();
    dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-fwd-'));
    h = await startHarness({
      upstreamCa: [origin.caPem],
      forward: {
        intercept: ['api.test', '*.app.test', 'plain.test'],
        resolve: [`api.test:${origin.port}:127.0.0.1`, `www.app.test:${origin.port}:127.0.0.1`, `plain.test:${plain.port}:127.0.0.1`],
        dataDir,
      },
    });
    ca = h.proxy.ca!.pem;
    await h.bus.subscribe('activity', (message) => {
      for (const s of message.sessions) counted.set(s.sessionId, (counted.get(s.sessionId) ?? 0) + s.requests);
    });
  });

  afterAll(async () => {
    await h.close();
    await origin.close();
    await plain.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reaches the tunnel host (mapped by resolve) with its real Host and SNI, not the reverse target', async () => {
    const res = await getThroughTunnel(h.proxy.port, 'api.test', origin.port, '/items?x=1', { ca, headers: { 'x-downspin-session': 'fwd-plain' } });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body) as OriginSeen;
    expect(seen).toMatchObject({ host: `api.test:${origin.port}`, servername: 'api.test', url: '/items?x=1' });
    expect(seen.headers['x-downspin-session']).toBeUndefined();
    // Cookies keep the upstream's domain: the browser sees the real host.
    expect(res.headers['set-cookie']).toEqual(['origin=1; Domain=api.test; Path=/']);
    expect(h.upstream.requests).toHaveLength(0);
    res.socket.destroy();
  });

  it('presents a leaf for the host signed by the local CA, served with the CA', async () => {
    const raw = await openConnect(h.proxy.port, `www.app.test:${origin.port}`);
    const secure = await tlsOver(raw, 'www.app.test', ca);
    const chain = secure.getPeerCertificate(true);
    expect(chain.subjectaltname).toBe('DNS:www.app.test');
    // The hashes a browser helper hands Chromium (--ignore-certificate-errors-spki-list) name the keys served.
    const spki = (raw: Buffer): string =>
      createHash('sha256').update(new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
    expect(spki(chain.raw)).toBe(h.proxy.ca!.leafSpkiSha256);
    expect(spki(chain.issuerCertificate.raw)).toBe(h.proxy.ca!.spkiSha256);
    expect(chain.issuerCertificate.fingerprint256).not.toBe(chain.fingerprint256);
    secure.destroy();
  });

  it('shapes a request inside the tunnel for the session its proxy credentials name, recording the real host', async () => {
    await h.profile('fwd-auth', { latency: { ms: 150 } });
    const res = await getThroughTunnel(h.proxy.port, 'api.test', origin.port, '/shaped', { ca, proxyUser: 'fwd-auth' });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as OriginSeen).headers['proxy-authorization']).toBeUndefined();
    // No cookie assigned: the tunnel's credentials named the session.
    expect(res.headers['set-cookie']).toEqual(['origin=1; Domain=api.test; Path=/']);
    const row = await eventually(() => {
      const found = h.telemetry.requests.find((r) => r.sessionHash === hashSessionId('fwd-auth'));
      if (found === undefined) throw new Error('no row yet');
      return found;
    });
    expect(row).toMatchObject({ host: 'api.test', path: '/shaped', injectedMs: 150, status: 200 });
    await eventually(() => expect(counted.get('fwd-auth')).toBe(1));
    res.socket.destroy();
  });

  it('lets the header win over the proxy credentials', async () => {
    const res = await getThroughTunnel(h.proxy.port, 'api.test', origin.port, '/both', {
      ca,
      proxyUser: 'fwd-loser',
      headers: { 'x-downspin-session': 'fwd-winner' },
    });
    expect(res.status).toBe(200);
    // Counted when the proxy's response closes, which may come just after the client read it.
    await eventually(() => expect(counted.get('fwd-winner')).toBe(1));
    expect(h.proxy.sessions.get('fwd-loser')).toBeUndefined();
    res.socket.destroy();
  });

  it('relays wss inside the tunnel to the tunnel host', async () => {
    const raw = await openConnect(h.proxy.port, `api.test:${origin.port}`, 'fwd-ws');
    const secure = await tlsOver(raw, 'api.test', ca);
    const client = new WebSocket(`wss://api.test:${origin.port}/ws`, { createConnection: () => secure } as WebSocket.ClientOptions);
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    client.send('hello');
    const echoed = await new Promise<string>((resolve) => client.once('message', (data: Buffer) => resolve(data.toString())));
    expect(echoed).toBe('hello');
    client.close();
    const row = await eventually(() => {
      const found = h.telemetry.webSockets.find((r) => r.sessionHash === hashSessionId('fwd-ws'));
      if (found === undefined) throw new Error('no row yet');
      return found;
    });
    expect(row).toMatchObject({ host: 'api.test', path: '/ws', messagesIn: 1, messagesOut: 1 });
  });

  it('forwards an absolute-form request to a listed host, session from its proxy credentials', async () => {
    await h.profile('fwd-abs', { latency: { ms: 40 } });
    const res = await absoluteGet(h.proxy.port, `http://plain.test:${plain.port}/abs`, {
      'proxy-authorization': `Basic ${Buffer.from('fwd-abs:x').toString('base64')}`,
    });
    expect(res.status).toBe(200);
    const seen = plain.requests.find((r) => r.url === '/abs');
    expect(seen?.headers.host).toBe(`plain.test:${plain.port}`);
    expect(seen?.headers['proxy-authorization']).toBeUndefined();
    const row = await eventually(() => {
      const found = h.telemetry.requests.find((r) => r.sessionHash === hashSessionId('fwd-abs'));
      if (found === undefined) throw new Error('no row yet');
      return found;
    });
    expect(row).toMatchObject({ host: 'plain.test', path: '/abs', injectedMs: 40 });
  });

  it('carries plain HTTP and ws:// inside a CONNECT tunnel (browsers tunnel ws:// too) to the host over http', async () => {
    const raw = await openConnect(h.proxy.port, `plain.test:${plain.port}`, 'fwd-plain-tunnel');
    raw.write(`GET /in-tunnel HTTP/1.1\r\nHost: plain.test:${plain.port}\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => raw.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(plain.requests.find((r) => r.url === '/in-tunnel')?.headers.host).toBe(`plain.test:${plain.port}`);
    raw.destroy();

    const tunnel = await openConnect(h.proxy.port, `plain.test:${plain.port}`, 'fwd-plain-ws');
    const client = new WebSocket(`ws://plain.test:${plain.port}/ws`, { createConnection: () => tunnel } as WebSocket.ClientOptions);
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    client.send('over plain');
    expect(await new Promise<string>((resolve) => client.once('message', (data: Buffer) => resolve(data.toString())))).toBe('over plain');
    client.close();
    const row = await eventually(() => {
      const found = h.telemetry.requests.find((r) => r.sessionHash === hashSessionId('fwd-plain-tunnel'));
      if (found === undefined) throw new Error('no row yet');
      return found;
    });
    expect(row).toMatchObject({ host: 'plain.test', path: '/in-tunnel', status: 200 });
  });

  it('keeps reverse mode: an origin-form request on a plain connection goes to the target', async () => {
    const res = await request(`${h.proxy.url}/plain`, { headers: { 'x-downspin-session': 'fwd-reverse' } });
    expect(res.status).toBe(200);
    expect(h.upstream.requestUrls()).toContain('/plain');
  });
});

describe('forward mode with --require-proxy-auth', () => {
  let h: ProxyHarness;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-fwd-auth-'));
    h = await startHarness({ forward: { intercept: ['api.test'], requireProxyAuth: true, dataDir } });
  });

  afterAll(async () => {
    await h.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('challenges a CONNECT and an absolute-form request without credentials with 407 Proxy-Authenticate, so browsers send their user name', async () => {
    await expect(openConnect(h.proxy.port, 'api.test:443')).rejects.toThrow(/^HTTP\/1\.1 407 [\s\S]*proxy-authenticate: Basic realm=/i);
    const res = await absoluteGet(h.proxy.port, 'http://api.test/x');
    expect(res.status).toBe(407);
    expect(res.headers['proxy-authenticate']).toMatch(/^Basic realm=/);
    expect(res.headers['x-downspin-error']).toBe('proxy_credentials_required');
  });

  it('opens the tunnel once the session is named, and keeps reverse mode free of the challenge', async () => {
    const raw = await openConnect(h.proxy.port, 'api.test:443', 'auth-1');
    raw.destroy();
    const res = await request(`${h.proxy.url}/plain`, { headers: { 'x-downspin-session': 'auth-2' } });
    expect(res.status).toBe(200);
  });
});
