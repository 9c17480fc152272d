import type { RiskFacts } from '@downspin/db';
import { describe, expect, it } from 'vitest';
import { riskScore } from '../sessions/risk.js';
import { riskReasons } from './risk-reasons.js';

const MINUTE = 60_000;
const facts = (f: Partial<RiskFacts>): RiskFacts => ({
  sessionId: 's',
  requests: 10,
  violations: 0,
  firstSeen: 0,
  lastSeen: MINUTE,
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0',
  consent: true,
  ...f,
});

describe('riskReasons', () => {
  it('names every signal that scored, in words', () => {
    expect(riskReasons(facts({ requests: 400, violations: 30, userAgent: 'curl/8.5.0', consent: false }))).toEqual([
      { signal: 'violations', points: 40, detail: '30 rate-limit violations' },
      { signal: 'request_rate', points: 25, detail: '400 requests/min (≥ 300)' },
      { signal: 'automation', points: 25, detail: 'automation marker in the user agent: curl/' },
      { signal: 'no_consent', points: 10, detail: 'no consent given through the extension' },
    ]);
    expect(riskReasons(facts({ userAgent: '', requests: 3 }))).toEqual([{ signal: 'automation', points: 25, detail: 'requests without a user agent' }]);
    expect(riskReasons(facts({}))).toEqual([]);
  });

  it('adds up to riskScore for any facts (same weights, same tiers)', () => {
    const agents = [null, '', 'Mozilla/5.0 HeadlessChrome/120', 'python-requests/2.31', 'Mozilla/5.0 Firefox/130.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)'];
    for (let i = 0; i < 2000; i++) {
      const f = facts({
        requests: (i * 37) % 2000,
        violations: (i * 7) % 60,
        firstSeen: 0,
        lastSeen: ((i * 13) % 10) * MINUTE,
        userAgent: agents[i % agents.length]!,
        consent: i % 3 === 0,
      });
      const sum = riskReasons(f).reduce((total, r) => total + r.points, 0);
      expect(Math.min(100, sum), JSON.stringify(f)).toBe(riskScore(f));
    }
  });
});
