import type { SessionsFilter, SessionView } from '@downspin/protocol';
import { HIGH_RISK_THRESHOLD } from '../format.js';

export const SESSION_FILTERS: readonly { id: SessionsFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'high_risk', label: 'High risk' },
  { id: 'throttled', label: 'Throttled' },
];

/**
 * The API's `throttled` filter, from what a session view carries: downspin,
 * a timeline, or a profile that shapes something (an empty profile reads
 * "no shaping", the `none` preset "none"). Priority and terminated are not throttled.
 */
export function isThrottled(session: SessionView): boolean {
  switch (session.mode) {
    case 'downspin':
    case 'timeline':
      return true;
    case 'profile':
      return session.shaping !== 'no shaping' && session.shaping !== 'none';
    default:
      return false;
  }
}

export function matchesFilter(session: SessionView, filter: SessionsFilter): boolean {
  if (filter === 'high_risk') return session.risk >= HIGH_RISK_THRESHOLD;
  if (filter === 'throttled') return isThrottled(session);
  return true;
}

/** Words for a mode, as the grid's badge shows it. */
export const MODE_LABELS: Record<SessionView['mode'], string> = {
  none: 'Normal',
  upspin: 'Priority',
  downspin: 'Throttled',
  profile: 'Profile',
  timeline: 'Timeline',
  terminated: 'Terminated',
};
