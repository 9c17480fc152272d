import type { TimeseriesResponse } from '@downspin/protocol';
import type { ReactNode } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBucketTime, formatBytes, formatCount, formatMs } from '../format.js';

/** Chart colours: the dashboard's blues, amber and red only where something went wrong. */
export const COLORS = {
  blue: '#1d4ed8',
  mid: '#3b82f6',
  light: '#93c5fd',
  teal: '#0e7490',
  amber: '#d97706',
  red: '#dc2626',
  grey: '#94a3b8',
  grid: '#e2e8f0',
  axis: '#475569',
};

type Point = TimeseriesResponse['points'][number];

export interface ChartRow {
  label: string;
  requests: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  bytesIn: number;
  bytesOut: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  other: number;
}

export function chartRows(series: TimeseriesResponse): ChartRow[] {
  return series.points.map((p: Point) => ({
    label: formatBucketTime(p.t, series.bucket),
    requests: p.requests,
    p50: p.latencyMs.p50,
    p95: p.latencyMs.p95,
    p99: p.latencyMs.p99,
    bytesIn: p.bytesIn,
    bytesOut: p.bytesOut,
    s2xx: p.status['2xx'],
    s3xx: p.status['3xx'],
    s4xx: p.status['4xx'],
    s5xx: p.status['5xx'],
    other: p.status.other,
  }));
}

const HEIGHT = 220;
const axis = { stroke: COLORS.axis, fontSize: 12, tickLine: false } as const;
const grid = <CartesianGrid stroke={COLORS.grid} vertical={false} />;

/** A chart in a labelled figure; the caption says what it shows in words too. */
export function ChartFigure({ title, summary, children }: { title: string; summary: string; children: ReactNode }) {
  return (
    <figure className="panel chart" aria-label={title}>
      <figcaption>
        <h3>{title}</h3>
        <p className="muted">{summary}</p>
      </figcaption>
      <div className="chart-body">
        <ResponsiveContainer width="100%" height={HEIGHT}>
          {children as React.ReactElement}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const xAxis = <XAxis dataKey="label" {...axis} minTickGap={24} />;

export function RequestRateChart({ rows, bucket }: { rows: ChartRow[]; bucket: string }) {
  const total = rows.reduce((sum, r) => sum + r.requests, 0);
  return (
    <ChartFigure title="Request rate" summary={`Requests per ${bucket}; ${formatCount(total)} in the range.`}>
      <AreaChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        {grid}
        {xAxis}
        <YAxis {...axis} width={48} allowDecimals={false} tickFormatter={formatCount} />
        <Tooltip formatter={(v) => formatCount(Number(v))} />
        <Area type="monotone" dataKey="requests" name="Requests" stroke={COLORS.blue} fill={COLORS.light} isAnimationActive={false} />
      </AreaChart>
    </ChartFigure>
  );
}

export function LatencyChart({ rows, bucket }: { rows: ChartRow[]; bucket: string }) {
  return (
    <ChartFigure title="Latency" summary={`Total request time per ${bucket}: median (p50), p95 and p99.`}>
      <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        {grid}
        {xAxis}
        <YAxis {...axis} width={56} tickFormatter={(v: number) => formatMs(v)} />
        <Tooltip formatter={(v) => formatMs(v === null ? null : Number(v))} />
        <Legend />
        <Line type="monotone" dataKey="p50" name="p50" stroke={COLORS.light} strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        <Line type="monotone" dataKey="p95" name="p95" stroke={COLORS.mid} strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
        <Line type="monotone" dataKey="p99" name="p99" stroke={COLORS.blue} strokeWidth={2} dot={{ r: 2 }} connectNulls isAnimationActive={false} />
      </LineChart>
    </ChartFigure>
  );
}

export function StatusChart({ rows, bucket }: { rows: ChartRow[]; bucket: string }) {
  const errors = rows.reduce((sum, r) => sum + r.s4xx + r.s5xx + r.other, 0);
  return (
    <ChartFigure title="Status codes" summary={`Responses per ${bucket} by class; ${formatCount(errors)} 4xx, 5xx or no response.`}>
      <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        {grid}
        {xAxis}
        <YAxis {...axis} width={48} allowDecimals={false} tickFormatter={formatCount} />
        <Tooltip formatter={(v) => formatCount(Number(v))} />
        <Legend />
        <Bar dataKey="s2xx" name="2xx" stackId="s" fill={COLORS.blue} isAnimationActive={false} />
        <Bar dataKey="s3xx" name="3xx" stackId="s" fill={COLORS.teal} isAnimationActive={false} />
        <Bar dataKey="s4xx" name="4xx" stackId="s" fill={COLORS.amber} isAnimationActive={false} />
        <Bar dataKey="s5xx" name="5xx" stackId="s" fill={COLORS.red} isAnimationActive={false} />
        <Bar dataKey="other" name="No response" stackId="s" fill={COLORS.grey} isAnimationActive={false} />
      </BarChart>
    </ChartFigure>
  );
}

export function BandwidthChart({ rows, bucket }: { rows: ChartRow[]; bucket: string }) {
  const bytesIn = rows.reduce((sum, r) => sum + r.bytesIn, 0);
  const bytesOut = rows.reduce((sum, r) => sum + r.bytesOut, 0);
  return (
    <ChartFigure title="Bandwidth" summary={`Bytes per ${bucket}: ${formatBytes(bytesIn)} in (requests), ${formatBytes(bytesOut)} out (responses).`}>
      <AreaChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        {grid}
        {xAxis}
        <YAxis {...axis} width={64} tickFormatter={(v: number) => formatBytes(v)} />
        <Tooltip formatter={(v) => formatBytes(Number(v))} />
        <Legend />
        <Area type="monotone" dataKey="bytesOut" name="Out (responses)" stroke={COLORS.blue} fill={COLORS.light} isAnimationActive={false} />
        <Area type="monotone" dataKey="bytesIn" name="In (requests)" stroke={COLORS.teal} fill="#a5f3fc" isAnimationActive={false} />
      </AreaChart>
    </ChartFigure>
  );
}
