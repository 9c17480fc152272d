import { json, request } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApp, type DemoApp } from './index.js';

let app: DemoApp;
beforeAll(async () => {
  app = await startDemoApp();
});
afterAll(() => app.close());

const postJson = (path: string, body: string, type = 'application/json') =>
  request(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

interface ErrorBody {
  error: { code: string; message: string };
}

describe('items API', () => {
  it('lists the seeded items', async () => {
    const res = await request(`${app.url}/api/items`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const { items } = json<{ items: { id: number; name: string }[] }>(res);
    expect(items.map((i) => i.name)).toEqual(['Coffee beans', 'Oat milk', 'Sourdough bread']);
  });

  it('adds a valid item, which then shows in the list and by id', async () => {
    const res = await postJson('/api/items', JSON.stringify({ name: '  Tea  ', note: 'green' }));
    expect(res.status).toBe(201);
    const item = json<{ id: number; name: string; note: string }>(res);
    expect(item).toMatchObject({ name: 'Tea', note: 'green' });
    expect(res.headers.location).toBe(`/api/items/${item.id}`);

    const byId = await request(`${app.url}/api/items/${item.id}`);
    expect(json(byId)).toEqual(item);
    const list = json<{ items: { id: number }[] }>(await request(`${app.url}/api/items`));
    expect(list.items.map((i) => i.id)).toContain(item.id);
  });

  it('answers 404 JSON for unknown ids, numeric or not', async () => {
    for (const id of ['999999', 'abc', '1.5']) {
      const res = await request(`${app.url}/api/items/${id}`);
      expect(res.status).toBe(404);
      expect(json<ErrorBody>(res).error.code).toBe('item_not_found');
    }
  });

  it('rejects bad bodies with a 4xx JSON error naming the problem, and adds nothing', async () => {
    const before = json<{ items: unknown[] }>(await request(`${app.url}/api/items`)).items.length;
    const cases: [string, string, number, string, string?][] = [
      ['{"name":""}', 'application/json', 400, 'invalid_body', 'name'],
      ['{"name":"ok","price":3}', 'application/json', 400, 'invalid_body', 'price'],
      ['{"name":42}', 'application/json', 400, 'invalid_body', 'name'],
      ['[]', 'application/json', 400, 'invalid_body'],
      ['{"name":', 'application/json', 400, 'invalid_json'],
      ['name=tea', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
      [JSON.stringify({ name: 'x', note: 'n'.repeat(20_000) }), 'application/json', 413, 'payload_too_large'],
    ];
    for (const [body, type, status, code, field] of cases) {
      const res = await postJson('/api/items', body, type);
      expect(res.status, body.slice(0, 40)).toBe(status);
      const error = json<ErrorBody>(res).error;
      expect(error.code).toBe(code);
      if (field !== undefined) expect(error.message).toContain(field);
    }
    const after = json<{ items: unknown[] }>(await request(`${app.url}/api/items`)).items.length;
    expect(after).toBe(before);
  });

  it('answers 405 with Allow for a method the path does not take', async () => {
    const res = await request(`${app.url}/api/items`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expect(json<ErrorBody>(res).error.code).toBe('method_not_allowed');
  });
});

describe('probe endpoints', () => {
  it('/health answers ok', async () => {
    const res = await request(`${app.url}/health`);
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ ok: true });
  });

  it('/api/slow waits the asked time', async () => {
    const res = await request(`${app.url}/api/slow?ms=300`);
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ ms: 300 });
    // Never early; the upper bound leaves room for a busy machine.
    expect(res.ms).toBeGreaterThanOrEqual(295);
    expect(res.ms).toBeLessThan(3000);
  });

  it('/api/slow rejects unbounded or malformed waits', async () => {
    for (const query of ['ms=abc', 'ms=-1', 'ms=30001', 'ms=1&x=2', 'ms=1.5']) {
      const res = await request(`${app.url}/api/slow?${query}`);
      expect(res.status, query).toBe(400);
      expect(json<ErrorBody>(res).error.code).toBe('invalid_query');
    }
  });

  it('/api/status/:code answers that status', async () => {
    const res = await request(`${app.url}/api/status/503`);
    expect(res.status).toBe(503);
    expect(json(res)).toEqual({ status: 503, message: 'Service Unavailable' });
    const empty = await request(`${app.url}/api/status/204`);
    expect(empty.status).toBe(204);
    expect(empty.body.length).toBe(0);
  });

  it('/api/status/:code rejects codes outside 200-599', async () => {
    for (const code of ['abc', '99', '100', '600', '2000']) {
      const res = await request(`${app.url}/api/status/${code}`);
      expect(res.status, code).toBe(400);
      expect(json<ErrorBody>(res).error.code).toBe('invalid_status');
    }
  });
});
