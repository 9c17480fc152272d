import type { DashboardAlert } from '@downspin/protocol';
import { useMemo, useState } from 'react';
import type { ExportFormat } from '../api/client.js';
import { useDashboard } from '../app/context.js';
import { AlertsPanel, mergeAlerts } from './AlertsPanel.js';
import { BandwidthChart, chartRows, LatencyChart, RequestRateChart, StatusChart } from './Charts.js';
import { saveFile } from './download.js';
import { EndpointsTable } from './EndpointsTable.js';
import { PanelBody } from './PanelBody.js';
import { OverviewFigures, RangeBar, useRange } from './RangeBar.js';
import { useAnalytics } from './useAnalytics.js';
import { WorldMap } from './WorldMap.js';

function ExportButtons({ hours, words }: { hours: number; words: string }) {
  const { client, notify, reportError } = useDashboard();
  const [working, setWorking] = useState<ExportFormat | null>(null);
  const run = async (format: ExportFormat) => {
    setWorking(format);
    try {
      const file = await client.exportRequests(format, hours);
      saveFile(file.blob, file.filename);
      notify('success', `Saved ${file.filename} (request rows of ${words}).`);
    } catch (error) {
      reportError(`Export ${format.toUpperCase()}`, error);
    } finally {
      setWorking(null);
    }
  };
  return (
    <div className="row" role="group" aria-label="Export request rows">
      <button type="button" onClick={() => void run('csv')} disabled={working !== null}>
        {working === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" onClick={() => void run('json')} disabled={working !== null}>
        {working === 'json' ? 'Exporting…' : 'Export JSON'}
      </button>
    </div>
  );
}

/** Request rate, latency, status codes, bandwidth, top endpoints, sessions by country and bot alerts over 1h / 24h / 7d. */
export function AnalyticsView({ liveAlerts }: { liveAlerts: readonly DashboardAlert[] }) {
  const [range, setRange] = useRange();
  const analytics = useAnalytics(range.hours);
  const { overview, timeseries, endpoints, geo, alerts, loading } = analytics;
  const rows = useMemo(() => (timeseries.data ? chartRows(timeseries.data) : []), [timeseries.data]);
  const hasRequests = (overview.data?.requests ?? rows.reduce((s, r) => s + r.requests, 0)) > 0;
  const shownAlerts = useMemo(() => mergeAlerts(alerts.data?.alerts ?? [], liveAlerts), [alerts.data, liveAlerts]);
  const bucket = timeseries.data?.bucket ?? 'minute';

  return (
    <section aria-labelledby="analytics-title" className="view">
      <div className="view-head">
        <h1 id="analytics-title">Analytics</h1>
        <RangeBar range={range} onRange={setRange} loading={loading} onRefresh={() => void analytics.refresh()}>
          <ExportButtons hours={range.hours} words={range.words} />
        </RangeBar>
      </div>

      <PanelBody panel={overview} loading={loading}>
        {(o) => <OverviewFigures overview={o} label={`Overview of ${range.words}`} />}
      </PanelBody>

      {timeseries.error !== null ? (
        <p className="message error" role="alert">
          Charts: {timeseries.error}
        </p>
      ) : timeseries.data !== null && !hasRequests ? (
        <p className="empty">No requests in {range.words}. Traffic through the proxy shows up here within a few seconds.</p>
      ) : (
        <div className="chart-grid">
          <RequestRateChart rows={rows} bucket={bucket} />
          <LatencyChart rows={rows} bucket={bucket} />
          <StatusChart rows={rows} bucket={bucket} />
          <BandwidthChart rows={rows} bucket={bucket} />
        </div>
      )}

      <div className="split">
        <section className="panel" aria-labelledby="endpoints-title">
          <h2 id="endpoints-title">Top endpoints</h2>
          <PanelBody panel={endpoints} loading={loading}>
            {(e) => (e.endpoints.length === 0 ? <p className="empty">No requests in {range.words}.</p> : <EndpointsTable endpoints={e.endpoints} />)}
          </PanelBody>
        </section>
        <section className="panel" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Bot alerts</h2>
          {alerts.error !== null && alerts.data === null ? (
            <p className="message error" role="alert">
              {alerts.error}
            </p>
          ) : (
            <AlertsPanel alerts={shownAlerts} now={analytics.updatedAt ?? Date.now()} />
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="geo-title">
        <h2 id="geo-title">Sessions by country</h2>
        <PanelBody panel={geo} loading={loading}>
          {(g) => (g.countries.length === 0 ? <p className="empty">No sessions in {range.words}.</p> : <WorldMap rows={g.countries} />)}
        </PanelBody>
      </section>
    </section>
  );
}
