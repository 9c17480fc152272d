import type { AdminStats, DashboardAlert, ServerToDashboard, SessionView } from '@downspin/protocol';

/** What the live channel has told the dashboard so far. */
export interface LiveState {
  /** By hash. */
  sessions: ReadonlyMap<string, SessionView>;
  stats: AdminStats | null;
  /** Most recent first, one per id. */
  alerts: readonly DashboardAlert[];
  /** Set when the server could not read the session store for its snapshot. */
  snapshotError: string | null;
  /** Whether a snapshot arrived since the page loaded (before it the grid is loading, not empty). */
  loaded: boolean;
}

export type LiveAction =
  | ServerToDashboard
  /** A session as a command's answer returned it: shown at once, before the channel pushes it. */
  | { type: 'local'; session: SessionView };

export const initialLiveState: LiveState = { sessions: new Map(), stats: null, alerts: [], snapshotError: null, loaded: false };

/** Sessions kept: the snapshot's 500 and what is pushed after it, the least recently seen dropped first. */
export const MAX_SESSIONS = 1000;
export const MAX_ALERTS = 50;

const seenAt = (s: SessionView): number => (s.lastSeen === null ? 0 : Date.parse(s.lastSeen));
const firstSeenAt = (s: SessionView): number => (s.firstSeen === null ? 0 : Date.parse(s.firstSeen));

/**
 * Grid order: newest session first, by when it was first seen, then by hash.
 * Traffic never moves a row, so a row does not slide away under the pointer
 * between reading it and clicking one of its buttons.
 */
export function sortSessions(sessions: Iterable<SessionView>): SessionView[] {
  return [...sessions].sort((a, b) => firstSeenAt(b) - firstSeenAt(a) || a.hash.localeCompare(b.hash));
}

/** Most recently seen first: the ones kept when there are too many. */
function byLastSeen(sessions: Iterable<SessionView>): SessionView[] {
  return [...sessions].sort((a, b) => seenAt(b) - seenAt(a) || a.hash.localeCompare(b.hash));
}

/** Replaces a session only with a version at least as new: a late push never undoes a newer command answer. */
function upsert(map: Map<string, SessionView>, session: SessionView): void {
  const known = map.get(session.hash);
  if (known !== undefined && known.version > session.version) {
    // Older shaping, but its activity figures may be newer: keep the shaping, take the counters.
    if (seenAt(session) > seenAt(known)) map.set(session.hash, { ...session, mode: known.mode, shaping: known.shaping, version: known.version });
    return;
  }
  map.set(session.hash, session);
}

function capped(map: Map<string, SessionView>): Map<string, SessionView> {
  if (map.size <= MAX_SESSIONS) return map;
  return new Map(byLastSeen(map.values()).slice(0, MAX_SESSIONS).map((s) => [s.hash, s]));
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case 'snapshot': {
      const sessions = new Map<string, SessionView>();
      for (const s of action.sessions) sessions.set(s.hash, s);
      return { ...state, sessions: capped(sessions), stats: action.stats, snapshotError: action.error ?? null, loaded: true };
    }
    case 'sessions':
    case 'local': {
      const sessions = new Map(state.sessions);
      for (const s of action.type === 'local' ? [action.session] : action.sessions) upsert(sessions, s);
      return { ...state, sessions: capped(sessions) };
    }
    case 'stats':
      return { ...state, stats: action.stats };
    case 'alert': {
      const alerts = [action.alert, ...state.alerts.filter((a) => a.id !== action.alert.id)].slice(0, MAX_ALERTS);
      return { ...state, alerts };
    }
    default:
      return state;
  }
}
