import { describe, expect, it, vi } from 'vitest';
import { buildSessionRules, replaceSessionRules } from './session-rules.js';

describe('session header rules', () => {
  it('sets x-downspin-session on http and ws URLs of each proxy origin, every resource type', () => {
    const rules = buildSessionRules('sid_123', ['http://localhost:8080', 'https://qa.example.com']);
    expect(rules.map((rule) => rule.condition.urlFilter)).toEqual([
      '|http://localhost:8080/',
      '|ws://localhost:8080/',
      '|https://qa.example.com/',
      '|wss://qa.example.com/',
    ]);
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(4);
    for (const rule of rules) {
      expect(rule.action).toEqual({ type: 'modifyHeaders', requestHeaders: [{ header: 'x-downspin-session', operation: 'set', value: 'sid_123' }] });
      // Empty exclusions: main_frame, sub_frame, xmlhttprequest, websocket… all match.
      expect(rule.condition.excludedResourceTypes).toEqual([]);
      expect(rule.condition.resourceTypes).toBeUndefined();
    }
  });

  it('anchors each filter to the whole origin, so another port or a longer host does not match', () => {
    const [rule] = buildSessionRules('s', ['http://localhost:8080']);
    const filter = rule!.condition.urlFilter!;
    // A urlFilter "|x" matches URLs starting with x.
    const matches = (url: string): boolean => url.startsWith(filter.slice(1));
    expect(matches('http://localhost:8080/api/items')).toBe(true);
    expect(matches('http://localhost:80800/')).toBe(false);
    expect(matches('http://localhost:8080.evil.example/')).toBe(false);
    expect(matches('http://localhost:8081/')).toBe(false);
  });

  it('replaces every earlier rule of the extension', async () => {
    const dnr = {
      getSessionRules: vi.fn().mockResolvedValue([{ id: 1 }, { id: 7 }]),
      updateSessionRules: vi.fn().mockResolvedValue(undefined),
    };
    await replaceSessionRules(dnr, []);
    expect(dnr.updateSessionRules).toHaveBeenCalledWith({ removeRuleIds: [1, 7], addRules: [] });
  });
});
