import { createHash } from 'node:crypto';
import { SESSION_ID_PATTERN, sessionHash } from '@downspin/protocol';
import { describe, expect, it } from 'vitest';
import { assignSessionId } from './resolve.js';
import { hashSessionId } from './runtime.js';

describe('assignSessionId', () => {
  it('hands out valid ids of 128 bits, none twice, across refills of its random pool', () => {
    // 1,000 ids: the pool (256 ids) is refilled three times on the way.
    const ids = Array.from({ length: 1000 }, assignSessionId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(SESSION_ID_PATTERN);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});

describe('hashSessionId', () => {
  it('is the first 12 hex characters of SHA-256, as the dashboard and extension compute it', async () => {
    const id = assignSessionId();
    expect(hashSessionId(id)).toBe(createHash('sha256').update(id).digest('hex').slice(0, 12));
    expect(hashSessionId(id)).toBe(await sessionHash(id));
  });
});
