import type { RiskFacts } from '@downspin/db';
import { describe, expect, it } from 'vitest';
import { hasAutomationMarker, requestsPerMinute, riskScore } from './risk.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0';
const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36';

const facts = (patch: Partial<RiskFacts> = {}): RiskFacts => ({
  sessionId: 's',
  requests: 10,
  violations: 0,
  firstSeen: 0,
  lastSeen: 10 * 60_000,
  userAgent: FIREFOX,
  consent: true,
  ...patch,
});

describe('riskScore', () => {
  it('scores a calm, consenting browser 0', () => {
    expect(riskScore(facts())).toBe(0);
  });

  it('adds 10 for no consent and 25 for an automation marker', () => {
    expect(riskScore(facts({ consent: false }))).toBe(10);
    expect(riskScore(facts({ userAgent: 'curl/8.5.0' }))).toBe(25);
    expect(riskScore(facts({ userAgent: HEADLESS, consent: false }))).toBe(35);
  });

  it('treats a missing user agent as automation only once the session made requests', () => {
    expect(riskScore(facts({ userAgent: '' }))).toBe(25);
    expect(riskScore(facts({ userAgent: null, requests: 0, firstSeen: null, lastSeen: null }))).toBe(0);
  });

  it('adds 2 per violation up to 40', () => {
    expect(riskScore(facts({ violations: 3 }))).toBe(6);
    expect(riskScore(facts({ violations: 20 }))).toBe(40);
    expect(riskScore(facts({ violations: 500 }))).toBe(40);
  });

  it('adds points by request rate, measured over at least a minute', () => {
    expect(riskScore(facts({ requests: 59, lastSeen: 60_000 }))).toBe(0);
    expect(riskScore(facts({ requests: 60, lastSeen: 60_000 }))).toBe(5);
    expect(riskScore(facts({ requests: 240, lastSeen: 120_000 }))).toBe(15);
    expect(riskScore(facts({ requests: 300, lastSeen: 60_000 }))).toBe(25);
    // A burst of 100 requests in one second is 100 per minute, not 6000.
    expect(requestsPerMinute(facts({ requests: 100, firstSeen: 0, lastSeen: 1000 }))).toBe(100);
  });

  it('reaches high risk (70) only with several signals together, and never passes 100', () => {
    expect(riskScore(facts({ userAgent: 'python-requests/2.31', consent: false, requests: 400, lastSeen: 60_000 }))).toBe(60);
    expect(riskScore(facts({ userAgent: 'python-requests/2.31', consent: false, requests: 400, lastSeen: 60_000, violations: 5 }))).toBe(70);
    expect(riskScore(facts({ userAgent: 'curl/8', consent: false, requests: 10_000, lastSeen: 60_000, violations: 1000 }))).toBe(100);
  });
});

describe('hasAutomationMarker', () => {
  it.each(['curl/8.5.0', 'python-requests/2.31.0', HEADLESS, 'Mozilla/5.0 Playwright/1.48', 'Go-http-client/1.1', 'Wget/1.21', 'Googlebot/2.1 (+http://www.google.com/bot.html)'])(
    'flags %s',
    (ua) => expect(hasAutomationMarker(ua)).toBe(true),
  );
  it.each([FIREFOX, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15'])(
    'does not flag %s',
    (ua) => expect(hasAutomationMarker(ua)).toBe(false),
  );
});
