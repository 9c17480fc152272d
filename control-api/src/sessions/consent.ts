import type { RiskFacts, SessionStore } from '@downspin/db';
import { riskScore } from './risk.js';

/**
 * Records a session's consent and rescores it (no consent is one of the
 * risk signals), for the client channel's hello and revocation.
 */
export async function recordConsent(
  store: SessionStore,
  sessionId: string,
  consent: boolean,
  riskOf: (facts: RiskFacts) => number = riskScore,
): Promise<number> {
  const facts = await store.setConsent(sessionId, consent);
  const risk = riskOf(facts);
  await store.setRisk([{ sessionId, risk }]);
  return risk;
}
