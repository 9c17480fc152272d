import { describe, expect, it, vi } from 'vitest';
import { allResourceTypes, buildSessionRules, replaceSessionRules } from './session-rules.js';

describe('session header rules', () => {
  it('sets x-downspin-session on http and ws URLs of each proxy origin, every resource type', () => {
    const rules = buildSessionRules('sid_123', ['http://localhost:8080', 'https://qa.example.com'], 'chrome');
    expect(rules.map((rule) => rule.condition.urlFilter)).toEqual([
      '|http://localhost:8080/',
      '|ws://localhost:8080/',
      '|https://qa.example.com/',
      '|wss://qa.example.com/',
    ]);
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(4);
    for (const rule of rules) {
      expect(rule.action).toEqual({ type: 'modifyHeaders', requestHeaders: [{ header: 'x-downspin-session', operation: 'set', value: 'sid_123' }] });
      // Listed: without a list (or with an empty exclusion list) Chrome skips main_frame.
      expect(rule.condition.resourceTypes).toEqual(expect.arrayContaining(['main_frame', 'sub_frame', 'xmlhttprequest', 'websocket', 'script', 'image', 'other']));
    }
  });

  it('anchors each filter to the whole origin, so another port or a longer host does not match', () => {
    const [rule] = buildSessionRules('s', ['http://localhost:8080'], 'chrome');
    const filter = rule!.condition.urlFilter!;
    // A urlFilter "|x" matches URLs starting with x.
    const matches = (url: string): boolean => url.startsWith(filter.slice(1));
    expect(matches('http://localhost:8080/api/items')).toBe(true);
    expect(matches('http://localhost:80800/')).toBe(false);
    expect(matches('http://localhost:8080.evil.example/')).toBe(false);
    expect(matches('http://localhost:8081/')).toBe(false);
  });

  it('lists only the resource types each browser knows', () => {
    expect(allResourceTypes('chrome')).toContain('webtransport');
    expect(allResourceTypes('chrome')).not.toContain('beacon');
    expect(allResourceTypes('firefox')).toContain('beacon');
    expect(allResourceTypes('firefox')).not.toContain('webtransport');
    expect(buildSessionRules('s', ['http://localhost:8080'], 'firefox')[0]!.condition.resourceTypes).toEqual(allResourceTypes('firefox'));
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

describe('session header rules for hosts routed through downspin', () => {
  it('tag exactly the host name on any scheme and port, before the proxy origins', () => {
    const rules = buildSessionRules('sid_1', ['http://localhost:8080'], 'chrome', ['api.downspin.test']);
    expect(rules.map((rule) => rule.id)).toEqual([1, 2, 3]);
    const regex = new RegExp(rules[0]!.condition.regexFilter!);
    expect(rules[0]!.action.requestHeaders).toEqual([{ header: 'x-downspin-session', operation: 'set', value: 'sid_1' }]);
    for (const url of ['https://api.downspin.test/', 'https://api.downspin.test:8443/v1/items', 'wss://api.downspin.test/live', 'http://api.downspin.test/x']) expect(regex.test(url), url).toBe(true);
    for (const url of ['https://api.downspin.test.evil.example/', 'https://apixdownspin.test/', 'https://xapi.downspin.test/', 'https://cdn.downspin.test/', 'https://evil.example/?u=https://api.downspin.test/']) {
      expect(regex.test(url), url).toBe(false);
    }
  });
});
