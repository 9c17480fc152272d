import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
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
