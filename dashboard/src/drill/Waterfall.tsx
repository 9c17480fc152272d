import type { HarEntry } from '@downspin/protocol';
import { useMemo } from 'react';
import { formatCount, formatMs } from '../format.js';
import { MAX_WATERFALL_ROWS, SEGMENT_KINDS, waterfallOf } from './waterfall.js';

const SEGMENT_TITLES = {
  injected: 'Injected by downspin (HAR blocked)',
  upstream: 'Upstream time to response (HAR wait)',
  transfer: 'Transfer and pacing (HAR receive)',
} as const;

function Legend() {
  return (
    <ul className="waterfall-legend" aria-label="Bar segments">
      {SEGMENT_KINDS.map((kind) => (
        <li key={kind}>
          <span className={`swatch segment-${kind}`} aria-hidden="true" />
          {SEGMENT_TITLES[kind]}
        </li>
      ))}
    </ul>
  );
}

/** A session's requests on one time axis, each bar split into injected delay, upstream time and transfer. */
export function Waterfall({ entries, words }: { entries: readonly HarEntry[]; words: string }) {
  const waterfall = useMemo(() => waterfallOf(entries), [entries]);
  if (entries.length === 0) return <p className="empty">No requests in {words}.</p>;
  return (
    <>
      <Legend />
      {waterfall.leftOut > 0 && (
        <p className="muted" role="note">
          Showing the latest {formatCount(waterfall.rows.length)} of {formatCount(entries.length)} requests (at most {formatCount(MAX_WATERFALL_ROWS)}); the HAR export holds
          them all.
        </p>
      )}
      <div className="table-wrap">
        <table className="waterfall">
          <caption className="visually-hidden">
            Requests of {words}, oldest first, on a {formatMs(waterfall.spanMs)} time axis
          </caption>
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col" className="num">
                Status
              </th>
              <th scope="col">Fault</th>
              <th scope="col" className="waterfall-axis">
                Timing ({formatMs(waterfall.spanMs)} axis)
              </th>
            </tr>
          </thead>
          <tbody>
            {waterfall.rows.map((row) => (
              <tr key={row.key}>
                <th scope="row" className="mono" title={row.path}>
                  <span className="method">{row.method}</span> {row.path}
                </th>
                <td className="num">{row.status === 0 ? 'none' : row.status}</td>
                <td>{[row.fault, row.error].filter((w) => w !== '').join(', ') || '—'}</td>
                <td className="waterfall-axis">
                  <div className="waterfall-track">
                    <div className="waterfall-bar" role="img" aria-label={row.words} title={row.words} style={{ left: `${row.leftPercent}%`, width: `${row.widthPercent}%` }}>
                      {row.segments.map((s) => (
                        <span key={s.kind} className={`segment segment-${s.kind}`} data-segment={s.kind} data-ms={Math.round(s.ms)} style={{ flexGrow: s.ms }} />
                      ))}
                    </div>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
