import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, type RunningNginx } from './nginx.js';

// nginx is a requirement of the bench (Debian package; the CI script installs it).
let upstream: http.Server;
let upstreamUrl: URL;
let connections = 0;
let nginx: RunningNginx;

beforeAll(async () => {
  upstream = http.createServer((_req, res) => res.end('ok'));
  upstream.on('connection', () => connections++);
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = new URL(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  nginx = await startNginx(upstreamUrl, '/health');
});
afterAll(async () => {
  await nginx?.stop();
  upstream?.closeAllConnections();
  upstream?.close();
});

function get(url: string, agent: http.Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('startNginx', () => {
  it('proxies to the upstream, keeping upstream connections alive', async () => {
    const before = connections;
    for (let i = 0; i < 10; i++) {
      // A new client connection each time: only nginx's upstream keepalive can reuse anything.
      const res = await get(`${nginx.url}/anything`, false);
      expect(res).toEqual({ status: 200, body: 'ok' });
    }
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('leaves nothing listening after stop()', async () => {
    const own = await startNginx(upstreamUrl, '/health');
    await own.stop();
    await expect(get(`${own.url}/health`, false)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
