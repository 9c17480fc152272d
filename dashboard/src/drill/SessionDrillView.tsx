import { SESSION_HASH_PATTERN } from '@downspin/protocol';
import { Link } from 'wouter';
import { PanelBody } from '../analytics/PanelBody.js';
import { OverviewFigures, RangeBar, useRange } from '../analytics/RangeBar.js';
import { MODE_LABELS } from '../sessions/filters.js';
import { DrillExport } from './DrillExport.js';
import { ShapingHistory } from './ShapingHistory.js';
import { useSessionDrill } from './useSessionDrill.js';
import { Waterfall } from './Waterfall.js';

function DrillBody({ hash }: { hash: string }) {
  const [range, setRange] = useRange();
  const { detail, har, overview, loading, refresh } = useSessionDrill(hash, range.hours);
  const session = detail.data?.session;

  return (
    <>
      <div className="view-head">
        <RangeBar range={range} onRange={setRange} loading={loading} onRefresh={() => void refresh()}>
          <DrillExport hash={hash} hours={range.hours} words={range.words} />
        </RangeBar>
      </div>
      {session && (
        <p className="shaping">
          <span className={`badge mode-${session.mode}`}>{MODE_LABELS[session.mode]}</span> <span className="shaping-words">{session.shaping}</span>
          <span className="muted"> · {session.browser ?? 'Unknown browser'}</span>
        </p>
      )}

      <PanelBody panel={overview} loading={loading}>
        {(o) => <OverviewFigures overview={o} label={`Session figures of ${range.words}`} sessions={false} />}
      </PanelBody>

      <section className="panel" aria-labelledby="waterfall-title">
        <h2 id="waterfall-title">Requests</h2>
        <PanelBody panel={har} loading={loading}>
          {(h) => <Waterfall entries={h.log.entries} words={range.words} />}
        </PanelBody>
      </section>

      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">Shaping history</h2>
        <p className="muted small">Every shaping command stored for the session, from the dashboard, the CLI, the API or a Playwright test (one admin key: who is not recorded).</p>
        <PanelBody panel={detail} loading={loading}>
          {(d) => <ShapingHistory history={d.history} />}
        </PanelBody>
      </section>
    </>
  );
}

/** One session at `/sessions/<hash>`: its requests as a waterfall, its shaping history, its analytics, for a range, with exports. */
export function SessionDrillView({ hash }: { hash: string }) {
  const valid = SESSION_HASH_PATTERN.test(hash);
  return (
    <section aria-labelledby="drill-title" className="view">
      <p>
        <Link href="/" className="nav-link">
          ← All sessions
        </Link>
      </p>
      <h1 id="drill-title">
        Session <span className="mono">{hash}</span>
      </h1>
      {valid ? (
        <DrillBody key={hash} hash={hash} />
      ) : (
        <p className="message error" role="alert">
          “{hash}” is not a session hash (12 hex digits).
        </p>
      )}
    </section>
  );
}
