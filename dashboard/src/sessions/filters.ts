import { HIGH_RISK_THRESHOLD, type SessionsFilter, type SessionView } from '@downspin/protocol';

export const SESSION_FILTERS: readonly { id: SessionsFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'high_risk', label: 'High risk' },
  { id: 'throttled', label: 'Throttled' },
];

/** The API's session filters, applied to the live grid (`throttled` is computed by the server, as its filter is). */
export function matchesFilter(session: SessionView, filter: SessionsFilter): boolean {
  if (filter === 'high_risk') return session.risk >= HIGH_RISK_THRESHOLD;
  if (filter === 'throttled') return session.throttled;
  return true;
}

/** Words for a mode, as the grid's badge shows it. */
export const MODE_LABELS: Record<SessionView['mode'], string> = {
  none: 'Normal',
  upspin: 'Upspin',
  downspin: 'Downspin',
  profile: 'Profile',
  timeline: 'Timeline',
  terminated: 'Terminated',
};
