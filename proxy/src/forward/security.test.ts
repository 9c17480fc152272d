import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, RawConnection, request } from '@downspin/testing';
import { startHarness, type ProxyHarness } from '../test-harness.js';
import { caFiles } from './ca.js';
import { absoluteGet, openConnect, startTestOrigin, tlsOver, type TestOrigin } from './test-origin.js';

/** The first address of this machine that is not loopback: an unlisted host may be tunnelled there. */
function externalAddress(): string {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (!entry.internal && entry.family === 'IPv4') return entry.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address to run the tunnel test on');
}

/** Everything a socket receives from now on, and whether it closed. */
function collect(socket: net.Socket): { text: string; closed: boolean } {
  const seen = { text: '', closed: false };
  socket.on('data', (chunk: Buffer) => (seen.text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.once('close', () => (seen.closed = true));
  return seen;
}

/** Sends one CONNECT and returns the proxy's answer once it closed the connection. */
async function connectAnswer(port: number, bytes: string): Promise<RawConnection> {
  const client = await RawConnection.open(port);
  client.write(bytes);
  await eventually(() => {
    if (!client.closed) throw new Error('still open');
  });
  return client;
}

describe('forward mode security: never an open proxy', () => {
  let h: ProxyHarness;
  let tunnelling: ProxyHarness;
  let origin: TestOrigin;
  let dataDir: string;
  let external: string;

  beforeAll(async () => {
    external = externalAddress();
    origin = await startTestOrigin(external);
    dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-fwd-sec-'));
    h = await startHarness({ forward: { intercept: ['api.test'], resolve: ['api.test:443:127.0.0.1'], dataDir } });
    tunnelling = await startHarness({
      forward: {
        intercept: ['api.test'],
        tunnelUnlisted: true,
        resolve: [`unlisted.test:${origin.port}:${external}`, 'internal.test:443:127.0.0.1', 'meta.test:80:169.254.169.254'],
        dataDir,
      },
    });
  });

  afterAll(async () => {
    await h.close();
    await tunnelling.close();
    await origin.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses CONNECT to an unlisted host with 403 and a reason, and closes the connection', async () => {
    const client = await connectAnswer(h.proxy.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(client.received).toMatch(/^HTTP\/1\.1 403 /);
    expect(client.received).toContain('X-Downspin-Error: forward_host_refused');
    expect(client.received).toContain('--intercept');
  });

  it('refuses an absolute-form request to an unlisted host with 403, never forwarding it', async () => {
    const res = await absoluteGet(h.proxy.port, 'http://example.com/x');
    expect(res.status).toBe(403);
    expect(res.headers['x-downspin-error']).toBe('forward_host_refused');
    expect(h.upstream.requests).toHaveLength(0);
  });

  it('does not let a listed suffix rule match a look-alike host', async () => {
    const client = await connectAnswer(h.proxy.port, 'CONNECT api.test.evil.net:443 HTTP/1.1\r\n\r\n');
    expect(client.received).toContain('forward_host_refused');
  });

  it.each([
    ['127.0.0.1:22', 'forward_address_refused'],
    ['[::1]:22', 'forward_address_refused'],
    ['169.254.169.254:80', 'forward_address_refused'],
    ['0.0.0.0:22', 'forward_address_refused'],
    ['[fd00:ec2::254]:80', 'forward_address_refused'],
    ['[::ffff:127.0.0.1]:22', 'forward_address_refused'],
    // Names that resolve there: a --resolve mapping, and the system resolver's localhost.
    ['internal.test:443', 'forward_address_refused'],
    ['meta.test:80', 'forward_address_refused'],
    ['localhost:22', 'forward_address_refused'],
  ])('never tunnels an unlisted %s (loopback, link-local, metadata), even with --tunnel-unlisted', async (authority, code) => {
    const client = await connectAnswer(tunnelling.proxy.port, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
    expect(client.received).toMatch(/^HTTP\/1\.1 403 /);
    expect(client.received).toContain(`X-Downspin-Error: ${code}`);
    await eventually(() => expect(tunnelling.proxy.stats().rawTunnels).toBe(0));
  });

  it('refuses the same addresses without --tunnel-unlisted as unlisted hosts', async () => {
    for (const authority of ['127.0.0.1:22', '[::1]:22', '169.254.169.254:80', '0.0.0.0:22']) {
      const client = await connectAnswer(h.proxy.port, `CONNECT ${authority} HTTP/1.1\r\n\r\n`);
      expect(client.received).toContain('X-Downspin-Error: forward_host_refused');
    }
  });

  it('tunnels an unlisted host untouched: the client sees the upstream certificate, no request is shaped', async () => {
    const before = tunnelling.telemetry.requests.length;
    const raw = await openConnect(tunnelling.proxy.port, `unlisted.test:${origin.port}`);
    // Trusting only the origin's own CA: an intercepted tunnel (downspin's leaf) would fail this handshake.
    const secure = await tlsOver(raw, 'unlisted.test', origin.caPem);
    const cert = secure.getPeerCertificate(true);
    expect(secure.authorized).toBe(true);
    expect(cert.subjectaltname).toBe('DNS:unlisted.test');
    expect(cert.issuerCertificate.fingerprint256).toBe(new X509Certificate(origin.caPem).fingerprint256);
    expect(cert.issuerCertificate.fingerprint256).not.toBe(new X509Certificate(tunnelling.proxy.ca!.pem).fingerprint256);
    expect(tunnelling.proxy.stats().rawTunnels).toBe(1);
    secure.destroy();
    await eventually(() => expect(tunnelling.proxy.stats().rawTunnels).toBe(0));
    await eventually(() => expect(origin.connections()).toBe(0));
    expect(tunnelling.telemetry.requests.length).toBe(before);
  });

  it('answers hostile CONNECT lines and closes them, leaking no socket', async () => {
    const hostile = [
      'CONNECT example.com HTTP/1.1\r\n\r\n',
      'CONNECT :443 HTTP/1.1\r\n\r\n',
      'CONNECT api.test:0 HTTP/1.1\r\n\r\n',
      'CONNECT api.test:99999 HTTP/1.1\r\n\r\n',
      'CONNECT ::1:443 HTTP/1.1\r\n\r\n',
      'CONNECT user@api.test:443 HTTP/1.1\r\n\r\n',
      'CONNECT api..test:443 HTTP/1.1\r\n\r\n',
      `CONNECT ${'a'.repeat(300)}.test:443 HTTP/1.1\r\n\r\n`,
      'CONNECT \u00ff\u00fe:443 HTTP/1.1\r\n\r\n',
      'CONNECT /path HTTP/1.1\r\n\r\n',
    ];
    for (const bytes of hostile) {
      const client = await connectAnswer(h.proxy.port, bytes);
      expect(client.received, bytes).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
    // A huge host beyond the header limit is answered by the parser.
    const huge = await connectAnswer(h.proxy.port, `CONNECT ${'a'.repeat(20_000)}:443 HTTP/1.1\r\n\r\n`);
    expect(huge.received).toMatch(/^HTTP\/1\.1 4\d\d /);
    await eventually(() => expect(h.proxy.stats().connections).toBe(0));
  });

  it('leaves no connection behind an intercepted tunnel: closed after a request, or fed garbage instead of TLS', async () => {
    const raw = await openConnect(h.proxy.port, 'api.test:443');
    const secure = await tlsOver(raw, 'api.test', h.proxy.ca!.pem);
    secure.write('GET /__downspin/health HTTP/1.1\r\nHost: api.test\r\n\r\n');
    await new Promise((resolve) => secure.once('data', resolve));
    secure.destroy();
    // Not TLS: read as plain HTTP inside the tunnel, and refused as a malformed request.
    const plainGarbage = await openConnect(h.proxy.port, 'api.test:443');
    const plainAnswer = collect(plainGarbage);
    plainGarbage.write('this is not a TLS client hello\r\n\r\n');
    await eventually(() => expect(plainAnswer.closed).toBe(true));
    expect(plainAnswer.text).toMatch(/^HTTP\/1\.1 400 /);
    // A TLS record type with garbage after it: the handshake fails and the connection closes.
    const tlsGarbage = await openConnect(h.proxy.port, 'api.test:443');
    const tlsAnswer = collect(tlsGarbage);
    tlsGarbage.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x20]), Buffer.alloc(32, 0xee)]));
    await eventually(() => expect(tlsAnswer.closed).toBe(true));
    await eventually(() => expect(h.proxy.stats().connections).toBe(0));
  });

  it('refuses malformed proxy credentials with 400, on CONNECT and absolute-form', async () => {
    const client = await connectAnswer(h.proxy.port, 'CONNECT api.test:443 HTTP/1.1\r\nProxy-Authorization: Basic %%%\r\n\r\n');
    expect(client.received).toContain('X-Downspin-Error: malformed_proxy_credentials');
    const bad = Buffer.from('not a session!:x').toString('base64');
    const res = await absoluteGet(h.proxy.port, 'http://api.test/x', { 'proxy-authorization': `Basic ${bad}` });
    expect(res.status).toBe(400);
    expect(res.headers['x-downspin-error']).toBe('malformed_proxy_credentials');
  });

  it('never serves the CA private key: not in any answer, not in the TLS chain, mode 0600 on disk', async () => {
    const key = await readFile(caFiles(dataDir).keyPath, 'utf8');
    const body = key.split('\n')[1]!;
    const paths = ['/__downspin/ca', '/__downspin/../ca/downspin-ca-key.pem', '/__downspin/%2e%2e/ca/downspin-ca-key.pem', '/ca/downspin-ca-key.pem', '/__downspin/health'];
    for (const p of paths) {
      const res = await request(`${h.proxy.url}${p}`);
      expect(res.body.toString('latin1')).not.toContain(body);
    }
    const raw = await openConnect(h.proxy.port, 'api.test:443');
    const secure = await tlsOver(raw, 'api.test', h.proxy.ca!.pem);
    const chain = secure.getPeerCertificate(true);
    expect(chain.raw.toString('base64')).not.toContain(body.slice(0, 40));
    expect(chain.issuerCertificate.raw.toString('base64')).not.toContain(body.slice(0, 40));
    secure.destroy();
    expect((await stat(caFiles(dataDir).keyPath)).mode & 0o777).toBe(0o600);
  });
});
