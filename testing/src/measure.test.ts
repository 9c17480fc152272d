import { describe, expect, it } from 'vitest';
import { timedSamples, type FetchingPage, type Timed } from './measure.js';

/** A page whose fetches answer these, in turn (the browser suites use a real page). */
const pageAnswering = (...answers: Timed[]): FetchingPage => ({ evaluate: async () => answers.shift()! });

describe('timedSamples', () => {
  it('returns the time of each fetch, in order', async () => {
    const ok = (ms: number): Timed => ({ status: 200, ms, refusal: null });
    await expect(timedSamples(pageAnswering(ok(12), ok(30), ok(7)), '/api/items')).resolves.toEqual([12, 30, 7]);
  });

  it('takes no timing from a refused or failed fetch, which would pass an upper bound falsely', async () => {
    const refused = pageAnswering({ status: 200, ms: 5, refusal: null }, { status: 403, ms: 1, refusal: 'session_terminated' });
    await expect(timedSamples(refused, '/api/items')).rejects.toThrow('/api/items answered 403 (session_terminated); no timing taken');
    const failed = pageAnswering({ status: 0, ms: 2, refusal: null, error: 'TypeError: Failed to fetch' });
    await expect(timedSamples(failed, '/health')).rejects.toThrow('/health answered 0: TypeError: Failed to fetch; no timing taken');
  });
});
