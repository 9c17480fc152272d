import { describe, expect, it } from 'vitest';
import { foldActivity } from './activity.js';
import type { ActivityItem } from './store.js';

const report = (patch: Partial<ActivityItem> = {}): ActivityItem => ({
  sessionId: 's1',
  firstSeen: 1000,
  lastSeen: 2000,
  requests: 3,
  bytesIn: 10,
  bytesOut: 100,
  violations: 1,
  userAgent: 'Mozilla/5.0 Firefox/130.0',
  browser: 'Firefox',
  country: 'NL',
  ...patch,
});

describe('foldActivity', () => {
  it('adds the counts and keeps the earliest first and the latest last sighting', () => {
    const into = report();
    foldActivity(into, report({ firstSeen: 500, lastSeen: 1500, requests: 2, bytesIn: 1, bytesOut: 2, violations: 4 }));
    expect(into).toMatchObject({ firstSeen: 500, lastSeen: 2000, requests: 5, bytesIn: 11, bytesOut: 102, violations: 5 });
  });

  it('never lets 0 ("not seen") win the first sighting', () => {
    const into = report({ firstSeen: 0 });
    foldActivity(into, report({ firstSeen: 1200 }));
    expect(into.firstSeen).toBe(1200);
    foldActivity(into, report({ firstSeen: 0 }));
    expect(into.firstSeen).toBe(1200);
  });

  it('keeps what it knew when a report leaves user agent, browser or country empty', () => {
    const into = report();
    foldActivity(into, report({ userAgent: '', browser: '', country: '' }));
    expect(into).toMatchObject({ userAgent: 'Mozilla/5.0 Firefox/130.0', browser: 'Firefox', country: 'NL' });
    foldActivity(into, report({ userAgent: 'curl/8.5.0', browser: 'curl', country: 'LO' }));
    expect(into).toMatchObject({ userAgent: 'curl/8.5.0', browser: 'curl', country: 'LO' });
  });

  it('keeps the later end of a ban', () => {
    const into = report();
    foldActivity(into, report({ bannedUntil: 9000 }));
    foldActivity(into, report({ bannedUntil: 5000 }));
    foldActivity(into, report());
    expect(into.bannedUntil).toBe(9000);
  });
});
