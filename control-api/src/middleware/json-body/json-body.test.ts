import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../errors.js';
import { jsonBody } from './index.js';

function app() {
  const hono = new Hono();
  hono.onError(errorHandler(pino({ level: 'silent' })));
  hono.post('/echo', jsonBody({ maxBytes: 100 }), async (c) => c.json({ got: await c.req.json<unknown>() }));
  return hono;
}

const post = (body: RequestInit['body'], headers: Record<string, string> = {}) =>
  app().request('/echo', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

describe('jsonBody', () => {
  it('passes a JSON body on unchanged', async () => {
    const res = await post('{"a":1}', { 'content-type': 'application/json; charset=utf-8' });
    expect(await res.json()).toEqual({ got: { a: 1 } });
  });

  it('reads an empty body as {}', async () => {
    expect(await (await post('', { 'content-type': 'application/json' })).json()).toEqual({ got: {} });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await post('a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    expect((await post('{"a":1}')).status).toBe(415);
  });

  it('answers 400 invalid_json with the parser message', async () => {
    const res = await post('{"a":', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.message).toMatch(/^The request body is not valid JSON: /);
  });

  it('answers 413 by declared length, and while reading a body sent without one', async () => {
    const declared = await post('{}', { 'content-type': 'application/json', 'content-length': '5000' });
    expect(declared.status).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(`"${'x'.repeat(20)}"`));
        controller.close();
      },
    });
    const streamed = await post(chunks, { 'content-type': 'application/json' });
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: 'payload_too_large', details: { maxBytes: 100 } } });
  });
});

/** The same checks over a real socket: under @hono/node-server the body is read from the node request. */
describe('jsonBody over HTTP', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = serve({ fetch: app().fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends the body in the given chunks (chunked: no content-length), and reads the answer. */
  const send = (chunks: string[], headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/echo', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });

  it('passes a body sent in chunks on unchanged, and reads an empty one as {}', async () => {
    const json = { 'content-type': 'application/json' };
    expect(await send(['{"a":', '[1,2', ']}'], json)).toEqual({ status: 200, body: '{"got":{"a":[1,2]}}' });
    expect(await send([], json)).toEqual({ status: 200, body: '{"got":{}}' });
  });

  it('answers 400 invalid_json, 415 for another type, and 413 by declared length and while reading', async () => {
    const invalid = await send(['{"a":'], { 'content-type': 'application/json' });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toMatchObject({ error: { code: 'invalid_json' } });
    expect((await send(['a=1'], { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const declared = await send(['{}'.padEnd(200, ' ')], { 'content-type': 'application/json', 'content-length': '200' });
    expect(declared.status).toBe(413);
    const streamed = await send(Array.from({ length: 10 }, () => `"${'x'.repeat(20)}"`), { 'content-type': 'application/json' });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ error: { code: 'payload_too_large', details: { maxBytes: 100 } } });
  });
});
