import type { OverviewResponse } from '@downspin/protocol';
import type { ReactNode } from 'react';
import { useSearchParams } from 'wouter';
import { Figures } from '../app/Figures.js';
import { formatBytes, formatCount, formatMs, formatPercent } from '../format.js';
import { RANGES, rangeById, type Range } from './ranges.js';

/** The time range a view shows, kept in the URL (`?range=`) so a reload or a shared link keeps it. */
export function useRange(): [Range, (range: Range) => void] {
  const [params, setParams] = useSearchParams();
  return [rangeById(params.get('range')), (range) => setParams({ range: range.id })];
}

/** The time range buttons and Refresh, then the view's own actions (its exports): the analytics view and a session's drill-down alike. */
export function RangeBar({
  range,
  onRange,
  loading,
  onRefresh,
  children,
}: {
  range: Range;
  onRange: (range: Range) => void;
  loading: boolean;
  onRefresh: () => void;
  children: ReactNode;
}) {
  return (
    <>
      <div className="segmented-buttons" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button key={r.id} type="button" aria-pressed={r.id === range.id} onClick={() => onRange(r)} title={r.words}>
            {r.label}
          </button>
        ))}
      </div>
      <div className="row push-right">
        <button type="button" className="quiet" onClick={onRefresh} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
        {children}
      </div>
    </>
  );
}

/** The overview's figures; `sessions` off where they are one session's. */
export function OverviewFigures({ overview: o, label, sessions = true }: { overview: OverviewResponse; label: string; sessions?: boolean }) {
  const figures: Array<readonly [string, string]> = [
    ['Requests', formatCount(o.requests)],
    ['Errors', `${formatCount(o.errors)} (${formatPercent(o.errorRate)})`],
    ['Latency p50', formatMs(o.latencyMs.p50)],
    ['p95', formatMs(o.latencyMs.p95)],
    ['p99', formatMs(o.latencyMs.p99)],
    ['Bytes in', formatBytes(o.bytesIn)],
    ['Bytes out', formatBytes(o.bytesOut)],
    ...(sessions ? [['Sessions', formatCount(o.sessions)] as const] : []),
    ['Rate-limited', formatCount(o.rateLimited)],
  ];
  return <Figures items={figures} label={label} />;
}
