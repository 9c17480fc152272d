import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../errors.js';
import { apiKeyAuth } from './index.js';

const KEY = 'k-0123456789abcdef';

function app() {
  const hono = new Hono();
  hono.onError(errorHandler(pino({ level: 'silent' })));
  hono.use('/admin/*', apiKeyAuth({ key: KEY }));
  hono.get('/admin/x', (c) => c.text('in'));
  hono.get('/open', (c) => c.text('open'));
  return hono;
}

describe('apiKeyAuth', () => {
  it.each([
    ['no key', {}],
    ['a wrong key of the same length', { 'x-api-key': KEY.replace('k', 'K') }],
    ['a shorter key', { 'x-api-key': 'k' }],
    ['a longer key', { 'x-api-key': `${KEY}0` }],
    ['a prefix of the key', { 'x-api-key': KEY.slice(0, -1) }],
    ['a Basic authorization', { authorization: `Basic ${KEY}` }],
    ['a wrong Bearer token', { authorization: 'Bearer k-wrong' }],
  ])('refuses %s with 401 unauthorized', async (_label, headers) => {
    const res = await app().request('/admin/x', { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('lets the right key through in X-API-Key or Authorization: Bearer', async () => {
    expect(await (await app().request('/admin/x', { headers: { 'x-api-key': KEY } })).text()).toBe('in');
    expect(await (await app().request('/admin/x', { headers: { authorization: `bearer ${KEY}` } })).text()).toBe('in');
  });

  it('guards only the paths it is mounted on', async () => {
    expect((await app().request('/open')).status).toBe(200);
  });

  it('refuses to be built with an empty key', () => {
    expect(() => apiKeyAuth({ key: '' })).toThrow(/non-empty/);
  });
});
