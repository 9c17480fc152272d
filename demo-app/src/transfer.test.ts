import http from 'node:http';
import { json, request } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApp, type DemoApp } from './index.js';
import { MAX_TRANSFER_BYTES, parseSize } from './transfer.js';

let app: DemoApp;
beforeAll(async () => {
  app = await startDemoApp();
});
afterAll(() => app.close());

describe('parseSize', () => {
  it('reads bytes and binary kb / mb units', () => {
    expect(parseSize('1500')).toBe(1500);
    expect(parseSize('0')).toBe(0);
    expect(parseSize('16kb')).toBe(16 * 1024);
    expect(parseSize('2mb')).toBe(2 * 1024 * 1024);
    expect(parseSize('2MiB')).toBe(2 * 1024 * 1024);
    expect(parseSize('0.5mb')).toBe(512 * 1024);
    expect(parseSize('64mb')).toBe(MAX_TRANSFER_BYTES);
  });

  it('refuses malformed sizes and anything over 64 MiB', () => {
    for (const text of ['', 'mb', '-1', '1gb', '2 mb', '65mb', '67108865', '1e6', '0x10']) {
      expect(parseSize(text), text).toBeUndefined();
    }
  });
});

describe('GET /download/:size', () => {
  it('streams exactly the asked byte count with Content-Length', async () => {
    const res = await request(`${app.url}/download/2mb`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe(String(2 * 1024 * 1024));
    expect(res.body.length).toBe(2 * 1024 * 1024);
    expect(res.body.subarray(0, 4).toString()).toBe('abcd');

    const odd = await request(`${app.url}/download/100001`);
    expect(odd.body.length).toBe(100_001);
  });

  it('answers HEAD with the length and no body', async () => {
    const res = await request(`${app.url}/download/1mb`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(1024 * 1024));
    expect(res.body.length).toBe(0);
  });

  it('refuses sizes it does not understand or over 64 MiB', async () => {
    for (const size of ['65mb', 'lots', '1tb']) {
      const res = await request(`${app.url}/download/${size}`);
      expect(res.status, size).toBe(400);
      expect(json<{ error: { code: string } }>(res).error.code).toBe('invalid_size');
    }
  });

  it('sends the first bytes of a big download before it would have produced the whole, and survives the client leaving', async () => {
    // 64 MiB is only produced as the client reads: the client stops after the first chunk.
    const first = await new Promise<{ length: number; declared: string | undefined }>((resolve, reject) => {
      const req = http.get(`${app.url}/download/64mb`, { agent: false }, (res) => {
        res.once('data', (chunk: Buffer) => {
          resolve({ length: chunk.length, declared: res.headers['content-length'] });
          req.destroy();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
    });
    expect(first.declared).toBe(String(64 * 1024 * 1024));
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThanOrEqual(64 * 1024);
    const health = await request(`${app.url}/health`);
    expect(health.status).toBe(200);
  });
});

describe('POST /api/upload', () => {
  it('counts the bytes of a body with Content-Length', async () => {
    const res = await request(`${app.url}/api/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(1024 * 1024, 7),
    });
    expect(res.status).toBe(200);
    const answer = json<{ bytes: number; ms: number }>(res);
    expect(answer.bytes).toBe(1024 * 1024);
    expect(answer.ms).toBeGreaterThanOrEqual(0);
  });

  it('counts the bytes of a chunked body', async () => {
    const answer = await new Promise<{ bytes: number }>((resolve, reject) => {
      const req = http.request(`${app.url}/api/upload`, { method: 'POST', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as { bytes: number }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(12_345));
      req.end();
    });
    expect(answer.bytes).toBe(123_450);
  });

  it('refuses an upload declared over 64 MiB with 413 before reading it', async () => {
    // Only the headers are sent: the answer must not wait for a body.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request(`${app.url}/api/upload`, {
        method: 'POST',
        agent: false,
        headers: { 'content-length': String(MAX_TRANSFER_BYTES + 1) },
      });
      req.on('response', (res) => {
        resolve(res.statusCode);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
    expect((await request(`${app.url}/health`)).status).toBe(200);
  });
});
