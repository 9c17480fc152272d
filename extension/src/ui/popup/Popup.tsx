import { useEffect, useState } from 'react';
import browser from 'webextension-polyfill';
import { ask } from '../../shared/messages.js';
import { modeWords } from '../../shared/modes.js';
import { tabStatus } from '../../shared/origins.js';
import type { ConnectionState, ExtensionState, UntrustedCa } from '../../shared/state.js';
import { Diagnostics } from './Diagnostics.js';
import { useExtensionState } from './use-extension-state.js';

const CONNECTION_WORDS: Record<ConnectionState, string> = {
  off: 'off',
  connecting: 'connecting…',
  open: 'connected',
  waiting: 'reconnecting…',
  terminated: 'closed (session ended)',
};

/** The toolbar popup: consent, the session's hash and mode, capture, diagnostics. */
export function Popup() {
  const [state, setState, loadError] = useExtensionState();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const run = (work: () => Promise<ExtensionState>): void => {
    setBusy(true);
    setActionError(null);
    work().then(setState, (error: unknown) => setActionError(error instanceof Error ? error.message : String(error))).finally(() => setBusy(false));
  };

  if (state === null) {
    return (
      <main className="popup">
        <h1>downspin</h1>
        <p className="muted">{loadError ?? 'Loading…'}</p>
      </main>
    );
  }

  const giveConsent = (): void =>
    run(async () => {
      // Asked first thing in the click, while the browser still counts it as the user's gesture.
      if (state.missingPermissions.length > 0) {
        const granted = await browser.permissions.request({ origins: state.missingPermissions });
        if (!granted) throw new Error('downspin needs access to the proxy and control API origins to work.');
      }
      return ask('consent', undefined);
    });

  return (
    <main className="popup">
      <h1>downspin</h1>
      <TabNotice proxyOrigins={state.settings.proxyOrigins} forwardHosts={state.settings.forwardHosts} consent={state.consent} />
      {state.untrustedCa !== null && <UntrustedCaNotice untrusted={state.untrustedCa} />}
      {state.consent ? (
        <Session state={state} busy={busy} run={run} />
      ) : (
        <>
          <p>
            With your consent, downspin adds your own session id to every request your tabs send to{' '}
            <strong data-testid="proxy-origins">{state.settings.proxyOrigins.join(', ')}</strong>, so QA can slow down, speed up or notify
            your session, and opens a command channel to <span>{state.settings.controlUrl}</span>.
          </p>
          <p className="muted">Nothing is sent or tracked before you agree. You can revoke consent at any time.</p>
          <div className="actions">
            <button type="button" data-testid="consent" disabled={busy} onClick={giveConsent}>
              Give consent
            </button>
          </div>
        </>
      )}
      {(actionError ?? state.lastError) !== null && (
        <p className="notice bad" data-testid="error">
          {actionError ?? state.lastError}
        </p>
      )}
      <Diagnostics counters={state.diagnostics} />
      <p>
        <a href="#" onClick={(event) => (event.preventDefault(), void browser.runtime.openOptionsPage())}>
          Options
        </a>
      </p>
    </main>
  );
}

function Session({ state, busy, run }: { state: ExtensionState; busy: boolean; run: (work: () => Promise<ExtensionState>) => void }) {
  return (
    <>
      {state.terminated !== null && (
        <div className="notice bad" data-testid="terminated" role="alert">
          <strong>Your session was ended.</strong> {state.terminated.reason}
        </div>
      )}
      <dl className="rows">
        <dt>Session</dt>
        <dd className="hash" data-testid="session-hash">
          {state.sessionHash ?? '…'}
        </dd>
        <dt>Mode</dt>
        <dd data-testid="mode" data-mode={state.mode ?? ''}>
          {modeWords(state.mode)}
        </dd>
        <dt>Shaping</dt>
        <dd data-testid="shaping">{state.shaping === '' ? '–' : state.shaping}</dd>
        {state.settings.forwardHosts.length > 0 && (
          <>
            <dt>Routed</dt>
            <dd data-testid="forward-hosts">
              {state.settings.forwardHosts.join(', ')} through {state.settings.forwardProxy}
            </dd>
          </>
        )}
        <dt>Channel</dt>
        <dd className={`state-${state.connection}`} data-testid="connection" data-state={state.connection}>
          {CONNECTION_WORDS[state.connection]}
        </dd>
      </dl>
      <label className="switch">
        <input
          type="checkbox"
          data-testid="capture"
          checked={state.capture}
          disabled={busy || state.terminated !== null}
          onChange={(event) => {
            const enabled = event.currentTarget.checked;
            run(() => ask('set-capture', { enabled }));
          }}
        />
        <span>
          Share page events (page views, clicks, navigations, timings) from the proxy origins with downspin&apos;s analytics.
          <br />
          <small className="muted">No form values, no query strings.</small>
        </span>
      </label>
      <div className="actions">
        {state.terminated !== null && (
          <button type="button" data-testid="new-session" disabled={busy} onClick={() => run(() => ask('consent', undefined))}>
            Start a new session
          </button>
        )}
        <button type="button" className="danger" data-testid="revoke" disabled={busy} onClick={() => run(() => ask('revoke', undefined))}>
          Revoke consent
        </button>
      </div>
    </>
  );
}

/** The active tab's URL, when the extension has host access to it (undefined otherwise). */
function useActiveTabUrl(): { loaded: boolean; url: string | undefined } {
  const [tab, setTab] = useState<{ loaded: boolean; url: string | undefined }>({ loaded: false, url: undefined });
  useEffect(() => {
    let alive = true;
    browser.tabs.query({ active: true, currentWindow: true }).then(
      (tabs) => alive && setTab({ loaded: true, url: tabs[0]?.url }),
      () => alive && setTab({ loaded: true, url: undefined }),
    );
    return () => {
      alive = false;
    };
  }, []);
  return tab;
}

/**
 * Says plainly whether this tab is tagged: a tab on an origin that is not
 * configured (e.g. localhost vs 127.0.0.1, or the app's own port) carries no
 * session, so nothing done to the session shapes it.
 */
function TabNotice({ proxyOrigins, forwardHosts, consent }: { proxyOrigins: readonly string[]; forwardHosts: readonly string[]; consent: boolean }) {
  const tab = useActiveTabUrl();
  if (!tab.loaded) return null;
  const status = tabStatus(tab.url, proxyOrigins, forwardHosts);
  if (status.onOrigin) {
    return (
      <p className="notice" data-testid="tab-origin" data-on-origin="true">
        This tab is on <strong>{status.origin}</strong>: {consent ? 'its requests carry your session.' : 'after consent its requests carry your session.'}
      </p>
    );
  }
  return (
    <p className="notice bad" data-testid="tab-origin" data-on-origin="false" role="status">
      <strong>This tab{status.origin === undefined ? '' : ` (${status.origin})`} is not on a proxy origin.</strong> downspin does not tag it,
      so shaping your session does not affect it. Open the app through the proxy ({proxyOrigins.join(', ')}) or add this origin in Options.
    </p>
  );
}

/**
 * The hosts routed through downspin fail until the browser trusts the CA the
 * proxy signs their certificates with: say so, and how to fix it, instead of
 * leaving the user with the browser's certificate error page.
 */
function UntrustedCaNotice({ untrusted }: { untrusted: UntrustedCa }) {
  return (
    <div className="notice bad" data-testid="untrusted-ca" role="alert">
      <strong>This browser does not trust downspin&apos;s certificate authority yet.</strong> Requests to{' '}
      <strong>{untrusted.host}</strong> fail ({untrusted.error}). Run <code>downspin ca</code> (or download the CA from the dashboard),
      import it as a trusted authority (Chrome: Settings → Privacy and security → Manage certificates → Authorities; Firefox:
      Settings → Privacy &amp; Security → View Certificates → Authorities), then reload the page.
    </div>
  );
}
