import type { AlertsResponse, EndpointsResponse, GeoResponse, OverviewResponse, TimeseriesResponse } from '@downspin/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, describeError } from '../api/problem.js';
import { useDashboard } from '../app/context.js';

/** One panel's data, or why it could not be had. */
export interface Panel<T> {
  data: T | null;
  error: string | null;
}

export interface AnalyticsData {
  overview: Panel<OverviewResponse>;
  timeseries: Panel<TimeseriesResponse>;
  endpoints: Panel<EndpointsResponse>;
  geo: Panel<GeoResponse>;
  alerts: Panel<AlertsResponse>;
}

const empty: Panel<never> = { data: null, error: null };
const EMPTY: AnalyticsData = { overview: empty, timeseries: empty, endpoints: empty, geo: empty, alerts: empty };

/** Analytics refresh this often while the tab is visible. */
const REFRESH_MS = 15_000;

/** A settled read as a panel: its data, or why it failed in words. */
export function panelOf<T>(result: PromiseSettledResult<T>): Panel<T> {
  return result.status === 'fulfilled' ? { data: result.value, error: null } : { data: null, error: describeError(result.reason) };
}

/**
 * Every analytics panel of the last `hours`, read in parallel; a panel that
 * fails shows why while the others show their data. A refused key signs out.
 */
export function useAnalytics(hours: number) {
  const { client, reportError } = useDashboard();
  const [data, setData] = useState<AnalyticsData>(EMPTY);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    const results = await Promise.allSettled([
      client.overview(hours),
      client.timeseries(hours),
      client.endpoints(hours),
      client.geo(hours),
      client.alerts(hours),
    ]);
    // A newer load (another range) started meanwhile: its answer wins.
    if (mine !== generation.current) return;
    const refused = results.find((r) => r.status === 'rejected' && r.reason instanceof ApiProblem && r.reason.unauthorized);
    if (refused?.status === 'rejected') {
      reportError('Analytics', refused.reason);
      return;
    }
    const [overview, timeseries, endpoints, geo, alerts] = results;
    setData({ overview: panelOf(overview), timeseries: panelOf(timeseries), endpoints: panelOf(endpoints), geo: panelOf(geo), alerts: panelOf(alerts) });
    setUpdatedAt(Date.now());
    setLoading(false);
  }, [client, hours, reportError]);

  useEffect(() => {
    setData(EMPTY);
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, REFRESH_MS);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, [load]);

  return { ...data, loading, updatedAt, refresh: load };
}
