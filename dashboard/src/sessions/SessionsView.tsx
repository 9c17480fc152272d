import type { SessionsFilter, SessionView } from '@downspin/protocol';
import { useEffect, useMemo, useState } from 'react';
import { saveFile } from '../analytics/download.js';
import { useDashboard } from '../app/context.js';
import { Figures } from '../app/Figures.js';
import { formatCount } from '../format.js';
import type { LiveState } from '../live/reducer.js';
import { sortSessions } from '../live/reducer.js';
import { matchesFilter, SESSION_FILTERS } from './filters.js';
import { NotifyDialog } from './NotifyDialog.js';
import { ProfileDialog } from './ProfileDialog.js';
import { SessionTable, type RowAction } from './SessionTable.js';
import { TerminateDialog } from './TerminateDialog.js';
import { useSessionCommands } from './useSessionCommands.js';

interface Props {
  live: LiveState;
  connected: boolean;
  onApplied(session: SessionView): void;
}

type OpenDialog = { kind: 'notify' | 'terminate' | 'profile'; hash: string } | null;

/** "Last seen" ages without a push: re-render every few seconds. */
function useNow(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

function LiveFigures({ live }: { live: LiveState }) {
  const stats = live.stats;
  const items: [string, string][] = [
    ['Sessions listed', formatCount(live.sessions.size)],
    ['Active on proxies', stats ? formatCount(stats.activeSessions) : '—'],
    ['Requests / s', stats ? stats.requestsPerSecond.toFixed(1) : '—'],
    ['Live proxies', stats ? formatCount(stats.proxies.length) : '—'],
    ['Telemetry dropped', stats ? formatCount(stats.telemetry.dropped) : '—'],
  ];
  return <Figures items={items} />;
}

/** The session grid: every live session, updated as the channel pushes, with filters and commands. */
export function SessionsView({ live, connected, onApplied }: Props) {
  const [filter, setFilter] = useState<SessionsFilter>('all');
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const commands = useSessionCommands(onApplied);
  const { client, notify, reportError } = useDashboard();
  const now = useNow(5000);

  const all = useMemo(() => sortSessions(live.sessions.values()), [live.sessions]);
  const shown = useMemo(() => all.filter((s) => matchesFilter(s, filter)), [all, filter]);
  const counts = useMemo(
    () => Object.fromEntries(SESSION_FILTERS.map((f) => [f.id, all.filter((s) => matchesFilter(s, f.id)).length])) as Record<SessionsFilter, number>,
    [all],
  );

  const onAction = (action: RowAction, session: SessionView) => {
    if (action === 'har') void exportHar(session.hash);
    else if (action === 'upspin') void commands.upspin(session.hash);
    else if (action === 'downspin') void commands.downspin(session.hash);
    else setDialog({ kind: action, hash: session.hash });
  };
  const close = () => setDialog(null);
  const exportHar = async (hash: string) => {
    try {
      const file = await client.exportHar(hash);
      saveFile(file.blob, file.filename);
      notify('success', `Saved ${file.filename} (requests of session ${hash}, last 24 h).`);
    } catch (error) {
      reportError(`Export HAR of session ${hash}`, error);
    }
  };

  return (
    <section aria-labelledby="sessions-title" className="view">
      <div className="view-head">
        <h1 id="sessions-title">Sessions</h1>
        <div className="segmented-buttons" role="group" aria-label="Filter sessions">
          {SESSION_FILTERS.map((f) => (
            <button key={f.id} type="button" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
              {f.label} <span className="count">{counts[f.id]}</span>
            </button>
          ))}
        </div>
      </div>
      <LiveFigures live={live} />
      {live.snapshotError && (
        <p className="message error" role="alert">
          The control API could not read the sessions: {live.snapshotError}
        </p>
      )}
      {!live.loaded ? (
        <p className="empty">{connected ? 'Loading sessions…' : 'Waiting for the control API…'}</p>
      ) : shown.length === 0 ? (
        <p className="empty">
          {all.length === 0 ? (
            <>
              No sessions yet. Send traffic through the proxy, e.g. <code>curl -H 'x-downspin-session: s1' http://localhost:8080/</code>, and it
              shows up here.
            </>
          ) : (
            'No session matches this filter.'
          )}
        </p>
      ) : (
        <SessionTable sessions={shown} busy={commands.busy} now={now} onAction={onAction} />
      )}
      {dialog?.kind === 'notify' && <NotifyDialog hash={dialog.hash} send={(m, t) => commands.message(dialog.hash, m, t)} onClose={close} />}
      {dialog?.kind === 'terminate' && <TerminateDialog hash={dialog.hash} terminate={(r) => commands.terminate(dialog.hash, r)} onClose={close} />}
      {dialog?.kind === 'profile' && (
        <ProfileDialog
          hash={dialog.hash}
          apply={(b, l) => commands.profile(dialog.hash, b, l)}
          applyScenario={(name) => commands.scenario(dialog.hash, name)}
          onClose={close}
        />
      )}
    </section>
  );
}
