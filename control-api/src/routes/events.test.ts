import { randomBytes } from 'node:crypto';
import { createPgliteStore, type SessionStore } from '@downspin/db';
import { sessionHash, type ClientEvent } from '@downspin/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordConsent } from '../sessions/consent.js';
import { startHarness, type Harness } from '../test-support/harness.js';

const newId = (): string => `e-${randomBytes(6).toString('hex')}`;
const pageView = (url = 'http://127.0.0.1:8080/'): ClientEvent => ({ type: 'page_view', ts: Date.now(), url });
const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

let store: SessionStore;
beforeAll(async () => {
  store = await createPgliteStore();
});
afterAll(async () => {
  await store.close();
});

describe('POST /events', () => {
  let h: Harness;
  let received: { hash: string; events: readonly ClientEvent[] }[];
  beforeEach(async () => {
    received = [];
    h = await startHarness(store, { clientEvents: (hash, events) => void received.push({ hash, events }) });
  });
  afterEach(async () => {
    await h.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    h.app.request('/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('hands a consenting session’s events to the sink by hash, without the API key', async () => {
    const id = newId();
    await recordConsent(store, id, true);
    const events = [pageView(), { type: 'click', ts: Date.now(), url: 'http://127.0.0.1:8080/', target: 'button#add' } as ClientEvent];
    const res = await post({ sessionId: id, events }, { origin: EXTENSION });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2 });
    expect(received).toEqual([{ hash: await sessionHash(id), events }]);
    expect(h.app.stats().clientEvents).toMatchObject({ accepted: 2, rejected: 0, discarded: 0 });
  });

  it('refuses 403 consent_required for a session without consent, known or not, and counts it', async () => {
    const known = newId();
    await recordConsent(store, known, false);
    for (const sessionId of [known, newId()]) {
      const res = await post({ sessionId, events: [pageView()] });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'consent_required' } });
    }
    expect(received).toEqual([]);
    expect(h.app.stats().clientEvents).toMatchObject({ accepted: 0, rejected: 2 });
  });

  it('answers 400 on invalid input, names the field, and counts every refusal', async () => {
    const id = newId();
    await recordConsent(store, id, true);
    const cases: [unknown, number, string][] = [
      [{ sessionId: id, events: [] }, 400, 'events'],
      [{ sessionId: id, events: [{ type: 'keylogger', ts: 1, url: '/' }] }, 400, 'events.0'],
      [{ sessionId: id, events: [pageView()], extra: 1 }, 400, 'extra'],
      [{ sessionId: 'bad id!', events: [pageView()] }, 400, 'sessionId'],
      [{ sessionId: id, events: Array.from({ length: 101 }, () => pageView()) }, 400, 'events'],
      ['{"sessionId":', 400, 'JSON'],
    ];
    for (const [body, status, named] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(named);
    }
    const huge = await post({ sessionId: id, events: [pageView(`http://x/${'a'.repeat(2000)}`)].concat(Array.from({ length: 60 }, () => pageView(`http://x/${'b'.repeat(1500)}`))) });
    expect(huge.status).toBe(413);
    expect(received).toEqual([]);
    expect(h.app.stats().clientEvents.rejected).toBe(cases.length + 1);
  });

  it('refuses 403 forbidden_origin for a web page origin', async () => {
    const id = newId();
    await recordConsent(store, id, true);
    const res = await post({ sessionId: id, events: [pageView()] }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
    expect(received).toEqual([]);
    expect(h.app.stats().clientEvents.rejected).toBe(1);
  });
});

describe('POST /events without a sink', () => {
  it('accepts, counts and discards', async () => {
    const h = await startHarness(store);
    const id = newId();
    await recordConsent(store, id, true);
    const res = await h.app.request('/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: id, events: [pageView(), pageView()] }),
    });
    expect(res.status).toBe(202);
    expect(h.app.stats().clientEvents).toMatchObject({ accepted: 2, discarded: 2, sinkErrors: 0 });
    await h.close();
  });

  it('counts a failing sink without failing the request', async () => {
    const h = await startHarness(store, {
      clientEvents: async () => {
        throw new Error('clickhouse down');
      },
    });
    const id = newId();
    await recordConsent(store, id, true);
    const res = await h.app.request('/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: id, events: [pageView()] }),
    });
    expect(res.status).toBe(202);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.app.stats().clientEvents).toMatchObject({ accepted: 1, sinkErrors: 1 });
    await h.close();
  });
});
