import type { RiskFacts } from '@downspin/db';

/**
 * The risk score of a session, 0–100, from four signals. Documented weights
 * (they add up to 100):
 *
 * | signal | points |
 * |---|---|
 * | rate-limit violations | 2 per violation, at most 40 (20 violations) |
 * | request rate (requests per minute over the time seen, at least one minute) | ≥ 60/min: 5, ≥ 120/min: 15, ≥ 300/min: 25 |
 * | automation markers in the user agent (HeadlessChrome, curl, python-requests, Playwright, …) or no user agent on a session that made requests | 25 |
 * | no consent given through the extension | 10 |
 *
 * A session at 70 or more is "high risk" (`HIGH_RISK_THRESHOLD`), e.g. curl
 * without consent hammering at 300/min with a few violations, or a headless
 * browser that ran into the rate limit 20 times. A consented browser only
 * gets there by heavy rate-limit abuse.
 */
export const RISK_WEIGHTS = {
  perViolation: 2,
  maxViolations: 40,
  rate: [
    { perMinute: 300, points: 25 },
    { perMinute: 120, points: 15 },
    { perMinute: 60, points: 5 },
  ],
  automation: 25,
  noConsent: 10,
} as const;

/** User-agent fragments of browsers driven by tools and of HTTP libraries. */
export const AUTOMATION_MARKERS: readonly RegExp[] = [
  /HeadlessChrome/i,
  /Playwright/i,
  /Puppeteer/i,
  /Selenium|WebDriver/i,
  /PhantomJS/i,
  /^curl\//i,
  /^Wget\//i,
  /python-requests|python-urllib|aiohttp|httpx/i,
  /Go-http-client/i,
  /node-fetch|axios|undici|got \(/i,
  /okhttp|Apache-HttpClient|Java\//i,
  /libwww-perl|Scrapy/i,
  /\b(bot|crawler|spider)\b/i,
];

export function hasAutomationMarker(userAgent: string): boolean {
  return AUTOMATION_MARKERS.some((marker) => marker.test(userAgent));
}

/** Requests per minute over the time the session was seen (at least one minute). */
export function requestsPerMinute(facts: Pick<RiskFacts, 'requests' | 'firstSeen' | 'lastSeen'>): number {
  if (facts.requests === 0) return 0;
  const spanMs = facts.firstSeen !== null && facts.lastSeen !== null ? facts.lastSeen - facts.firstSeen : 0;
  return facts.requests / (Math.max(spanMs, 60_000) / 60_000);
}

/** The score described above. Pure: same facts, same score. */
export function riskScore(facts: RiskFacts): number {
  let score = Math.min(RISK_WEIGHTS.maxViolations, facts.violations * RISK_WEIGHTS.perViolation);
  const rate = requestsPerMinute(facts);
  score += RISK_WEIGHTS.rate.find((tier) => rate >= tier.perMinute)?.points ?? 0;
  const userAgent = facts.userAgent ?? '';
  if (hasAutomationMarker(userAgent) || (userAgent.trim() === '' && facts.requests > 0)) score += RISK_WEIGHTS.automation;
  if (!facts.consent) score += RISK_WEIGHTS.noConsent;
  return Math.min(100, score);
}
