import { createPgliteStore, type SessionStore } from '@downspin/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsent } from './consent.js';

let store: SessionStore;
beforeAll(async () => {
  store = await createPgliteStore();
});
afterAll(async () => {
  await store.close();
});

describe('recordConsent', () => {
  it('stores consent and rescores the session', async () => {
    await store.recordActivity([
      { sessionId: 'c1', firstSeen: 1, lastSeen: 60_001, requests: 3, bytesIn: 0, bytesOut: 0, violations: 0, userAgent: 'curl/8', browser: 'curl', country: '' },
    ]);
    expect(await recordConsent(store, 'c1', false)).toBe(35);
    expect(await store.getSession('c1')).toMatchObject({ consent: false, risk: 35 });
    expect(await recordConsent(store, 'c1', true)).toBe(25);
    expect(await store.getSession('c1')).toMatchObject({ consent: true, risk: 25 });
  });
});
