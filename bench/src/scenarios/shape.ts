import type { ProfileInput } from '@downspin/protocol';
import type { BenchChild } from '../processes.js';

/**
 * Applies a profile to a session the way the control API does: the downspin
 * child publishes a ShapingCommand on its bus and answers once the proxy
 * acknowledged it. Resolves with the time to the ack.
 */
export async function applyProfile(downspin: BenchChild, sessionId: string, profile: ProfileInput): Promise<number> {
  const answer = await downspin.ask({ type: 'shape', sessionId, profile });
  if (answer.type !== 'shaped') throw new Error(`shaping ${sessionId} failed: ${answer.type === 'failed' ? answer.message : answer.type}`);
  return answer.ackMs;
}
