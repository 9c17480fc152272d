import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { request } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApp, type DemoApp } from './index.js';

let app: DemoApp;
beforeAll(async () => {
  app = await startDemoApp();
});
afterAll(() => app.close());

/** Sends raw bytes and returns whatever comes back before the server closes. */
async function raw(port: number, bytes: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'connect');
  socket.write(bytes);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString();
}

describe('robustness', () => {
  it('answers a malformed request with 400 and keeps serving', async () => {
    const answer = await raw(app.port, 'GARBAGE / NOT-HTTP\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await request(`${app.url}/health`)).status).toBe(200);
  });

  it('survives clients that leave mid-request and mid-upload', async () => {
    const slow = http.get(`${app.url}/api/slow?ms=5000`, { agent: false });
    slow.on('error', () => undefined);
    const upload = http.request(`${app.url}/api/upload`, { method: 'POST', agent: false, headers: { 'content-length': '1000000' } });
    upload.on('error', () => undefined);
    upload.write(Buffer.alloc(1000));
    await Promise.all([once(slow, 'socket'), once(upload, 'socket')]);
    // Give the server a moment to have both requests in hand, then vanish.
    await new Promise((resolve) => setTimeout(resolve, 100));
    slow.destroy();
    upload.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await request(`${app.url}/health`)).status).toBe(200);
  });

  it('close() returns promptly and cuts open connections', async () => {
    const own = await startDemoApp();
    const agent = new http.Agent({ keepAlive: true });
    // An idle keep-alive connection and a request in flight.
    await new Promise<void>((resolve) => http.get(`${own.url}/health`, { agent }, (res) => res.resume().on('end', resolve)));
    const inFlight = http.get(`${own.url}/api/slow?ms=20000`, { agent: false });
    const failed = once(inFlight, 'error');
    await once(inFlight, 'socket');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(2000);
    const [error] = (await failed) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
    agent.destroy();
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    await expect(startDemoApp({ port: app.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
