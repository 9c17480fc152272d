import type { RiskFacts } from '@downspin/db';
import type { RiskSignal } from '@downspin/protocol';
import { AUTOMATION_MARKERS, RISK_WEIGHTS, requestsPerMinute } from '../sessions/risk.js';

/** One signal that added to a session's risk score, in words. */
export interface RiskReason {
  signal: RiskSignal;
  points: number;
  detail: string;
}

/**
 * Why `riskScore` gives what it gives: the same four signals with the same
 * weights (`RISK_WEIGHTS`), each that scored as a reason. Their points add up
 * to the score (before its cap at 100; a test holds the two together).
 */
export function riskReasons(facts: RiskFacts): RiskReason[] {
  const reasons: RiskReason[] = [];
  const violationPoints = Math.min(RISK_WEIGHTS.maxViolations, facts.violations * RISK_WEIGHTS.perViolation);
  if (violationPoints > 0) {
    reasons.push({ signal: 'violations', points: violationPoints, detail: `${facts.violations} rate-limit violation${facts.violations === 1 ? '' : 's'}` });
  }
  const rate = requestsPerMinute(facts);
  const tier = RISK_WEIGHTS.rate.find((t) => rate >= t.perMinute);
  if (tier !== undefined) {
    reasons.push({ signal: 'request_rate', points: tier.points, detail: `${Math.round(rate)} requests/min (≥ ${tier.perMinute})` });
  }
  const userAgent = facts.userAgent ?? '';
  const marker = AUTOMATION_MARKERS.map((m) => m.exec(userAgent)?.[0]).find((found) => found !== undefined);
  if (marker !== undefined) {
    reasons.push({ signal: 'automation', points: RISK_WEIGHTS.automation, detail: `automation marker in the user agent: ${marker.slice(0, 64)}` });
  } else if (userAgent.trim() === '' && facts.requests > 0) {
    reasons.push({ signal: 'automation', points: RISK_WEIGHTS.automation, detail: 'requests without a user agent' });
  }
  if (!facts.consent) reasons.push({ signal: 'no_consent', points: RISK_WEIGHTS.noConsent, detail: 'no consent given through the extension' });
  return reasons;
}
