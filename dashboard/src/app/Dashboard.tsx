import { lazy, Suspense, useCallback, useEffect, useMemo } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { ControlClient } from '../api/client.js';
import { ApiProblem, describeError } from '../api/problem.js';
import { useLiveChannel } from '../live/useLiveChannel.js';
import { SessionDrillView } from '../drill/SessionDrillView.js';
import { ForwardView } from '../forward/ForwardView.js';
import { ScenariosView } from '../scenarios/ScenariosView.js';
import { SessionsView } from '../sessions/SessionsView.js';
import { ConnectionBadge, ConnectionBanner } from './ConnectionBanner.js';
import { DashboardContext, type DashboardContextValue } from './context.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { Notices } from './Notices.js';
import { useNotices } from './notices.js';

// Charts and the map load with the analytics view only.
const AnalyticsView = lazy(() => import('../analytics/AnalyticsView.js').then((m) => ({ default: m.AnalyticsView })));

const KEY_REFUSED = 'The admin key is no longer accepted (was downspin restarted with another key?). Paste the current one.';

interface Props {
  adminKey: string;
  onSignOut(why: string | null): void;
}

function NavLink({ href, children }: { href: string; children: string }) {
  const [location] = useLocation();
  const current = location === href;
  return (
    <Link href={href} className={current ? 'nav-link current' : 'nav-link'} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Dashboard({ adminKey, onSignOut }: Props) {
  const client = useMemo(() => new ControlClient(adminKey), [adminKey]);
  const { notices, push, dismiss } = useNotices();
  const live = useLiveChannel(client);

  useEffect(() => {
    if (live.status.state === 'unauthorized') onSignOut(KEY_REFUSED);
  }, [live.status.state, onSignOut]);

  const reportError = useCallback(
    (what: string, error: unknown) => {
      if (error instanceof ApiProblem && error.unauthorized) onSignOut(KEY_REFUSED);
      else push('error', `${what}: ${describeError(error)}`);
    },
    [onSignOut, push],
  );
  const context = useMemo<DashboardContextValue>(() => ({ client, notify: push, reportError }), [client, push, reportError]);

  return (
    <DashboardContext.Provider value={context}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          downspin
        </div>
        <nav aria-label="Views">
          <NavLink href="/">Sessions</NavLink>
          <NavLink href="/scenarios">Scenarios</NavLink>
          <NavLink href="/analytics">Analytics</NavLink>
          <NavLink href="/forward">Forward mode</NavLink>
        </nav>
        <div className="topbar-end">
          <ConnectionBadge status={live.status} />
          <button type="button" className="quiet" onClick={() => onSignOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectionBanner status={live.status} onRetry={live.retryNow} />
      <Notices notices={notices} onDismiss={dismiss} />
      <main id="main" tabIndex={-1}>
        <Switch>
          <Route path="/analytics">
            <ErrorBoundary part="the analytics view">
              <Suspense fallback={<p className="muted">Loading analytics…</p>}>
                <AnalyticsView liveAlerts={live.state.alerts} />
              </Suspense>
            </ErrorBoundary>
          </Route>
          <Route path="/forward">
            <ErrorBoundary part="the forward mode view">
              <ForwardView />
            </ErrorBoundary>
          </Route>
          <Route path="/scenarios">
            <ErrorBoundary part="the scenarios view">
              <ScenariosView />
            </ErrorBoundary>
          </Route>
          <Route path="/sessions/:hash">
            {(params) => (
              <ErrorBoundary part="the session drill-down">
                <SessionDrillView hash={params.hash} />
              </ErrorBoundary>
            )}
          </Route>
          <Route>
            <ErrorBoundary part="the session grid">
              <SessionsView live={live.state} connected={live.status.state === 'open'} onApplied={(session) => live.dispatch({ type: 'local', session })} />
            </ErrorBoundary>
          </Route>
        </Switch>
      </main>
    </DashboardContext.Provider>
  );
}
