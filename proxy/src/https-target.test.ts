import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import selfsigned from 'selfsigned';
import { MemoryBus } from '@downspin/bus';
import { json, request } from '@downspin/testing';
import { pino } from 'pino';
import { startProxy, type RunningProxy } from './server.js';

interface Seen {
  host: string | undefined;
  servername: string | false | null | undefined;
}

describe('an https:// target (staging apps usually are)', () => {
  let server: https.Server;
  let port: number;
  let trusting: RunningProxy;
  let verifying: RunningProxy;
  const logLines: string[] = [];

  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
    });
    server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      const seen: Seen = { host: req.headers.host, servername: (req.socket as TLSSocket).servername };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(seen));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    const common = { target: `https://localhost:${port}`, port: 0, loadShaping: async () => [] };
    trusting = await startProxy({ ...common, bus: new MemoryBus(), insecureTarget: true });
    verifying = await startProxy({ ...common, bus: new MemoryBus(), logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) });
  });

  afterAll(async () => {
    await trusting.close();
    await verifying.close();
    server.close();
  });

  it('rewrites Host to the target and sends SNI for its name', async () => {
    const res = await request(`${trusting.url}/`, { headers: { 'x-downspin-session': 'tls' } });
    expect(res.status).toBe(200);
    expect(json<Seen>(res)).toEqual({ host: `localhost:${port}`, servername: 'localhost' });
  });

  it('refuses a certificate that does not verify unless told to trust it, with a clear 502', async () => {
    const res = await request(`${verifying.url}/`, { headers: { 'x-downspin-session': 'tls' } });
    expect(res.status).toBe(502);
    expect(json(res)).toMatchObject({
      error: { code: 'upstream_unreachable', details: expect.stringContaining('--insecure-target') },
    });
  });

  it('logs a certificate failure at warn once per cause, naming the fix', async () => {
    for (let i = 0; i < 3; i++) expect((await request(`${verifying.url}/x${i}`, { headers: { 'x-downspin-session': 'tls' } })).status).toBe(502);
    const warnings = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; cause?: string }).filter((entry) => entry.level === 40);
    const failures = warnings.filter((entry) => entry.msg.startsWith('upstream request failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.cause).toMatch(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(failures[0]!.msg).toContain('--insecure-target');
  });
});
