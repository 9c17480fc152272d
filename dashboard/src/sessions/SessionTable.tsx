import type { SessionView } from '@downspin/protocol';
import { Link } from 'wouter';
import { countryLabel, formatBytes, formatCount, formatRelative, riskLevel } from '../format.js';
import { MODE_LABELS } from './filters.js';

export type RowAction = 'upspin' | 'downspin' | 'notify' | 'profile' | 'terminate' | 'har';

interface Props {
  sessions: SessionView[];
  busy: ReadonlySet<string>;
  now: number;
  onAction(action: RowAction, session: SessionView): void;
}

const banned = (s: SessionView, now: number) => s.bannedUntil !== null && Date.parse(s.bannedUntil) > now;

function ShapingCell({ session, now }: { session: SessionView; now: number }) {
  return (
    <div className="shaping">
      <span className={`badge mode-${session.mode}`}>{MODE_LABELS[session.mode]}</span>
      {banned(session, now) && <span className="badge mode-terminated">Banned</span>}
      <span className="shaping-words">{session.shaping}</span>
    </div>
  );
}

/** The live sessions, one row each, with the one-click commands. */
export function SessionTable({ sessions, busy, now, onAction }: Props) {
  return (
    <div className="table-wrap">
      <table className="sessions">
        <caption className="visually-hidden">Live sessions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Browser</th>
            <th scope="col">Country</th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col" className="num">
              Bytes in / out
            </th>
            <th scope="col" className="num">
              Risk
            </th>
            <th scope="col">Shaping</th>
            <th scope="col">Last seen</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => {
            const working = busy.has(s.hash);
            const act = (action: RowAction) => () => onAction(action, s);
            return (
              <tr key={s.hash} data-session={s.hash} aria-busy={working || undefined}>
                <th scope="row" className="mono" title={`Session hash ${s.hash}${s.consent ? ' (consent given)' : ''}`}>
                  <Link href={`/sessions/${s.hash}`} aria-label={`Open session ${s.hash}`}>
                    {s.hash}
                  </Link>
                  {s.consent && <span className="badge consent">ext</span>}
                </th>
                <td title={s.userAgent ?? undefined}>{s.browser ?? 'Unknown'}</td>
                <td>{countryLabel(s.country)}</td>
                <td className="num">{formatCount(s.requests)}</td>
                <td className="num">
                  {formatBytes(s.bytesIn)} / {formatBytes(s.bytesOut)}
                </td>
                <td className="num">
                  <span className={`badge risk-${riskLevel(s.risk)}`} title={`${s.violations} rate-limit violations`}>
                    {s.risk}
                  </span>
                </td>
                <td>
                  <ShapingCell session={s} now={now} />
                </td>
                <td>{formatRelative(s.lastSeen, now)}</td>
                <td>
                  <div className="actions" role="group" aria-label={`Commands for session ${s.hash}`}>
                    <button type="button" disabled={working} onClick={act('upspin')} aria-label={`Upspin session ${s.hash}`} title="Upspin: no added latency, no rate limit">
                      Upspin
                    </button>
                    <button type="button" disabled={working} onClick={act('downspin')} aria-label={`Downspin session ${s.hash}`} title="Downspin: 2 s more per request">
                      Downspin
                    </button>
                    <button type="button" disabled={working} onClick={act('notify')} aria-label={`Notify session ${s.hash}`} title="Show a message in the user's page">
                      Notify…
                    </button>
                    <button type="button" disabled={working} onClick={act('profile')} aria-label={`Profile for session ${s.hash}`} title="Apply a preset or a custom profile">
                      Profile…
                    </button>
                    <button type="button" className="danger-quiet" disabled={working} onClick={act('terminate')} aria-label={`Terminate session ${s.hash}`} title="Every further request gets 403">
                      Terminate…
                    </button>
                    <button type="button" onClick={act('har')} aria-label={`Export HAR of session ${s.hash}`} title="Its requests of the last 24 h as HAR, with what downspin injected: opens in DevTools' network panel">
                      HAR
                    </button>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
