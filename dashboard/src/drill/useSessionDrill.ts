import type { Har, OverviewResponse, SessionDetailResponse } from '@downspin/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem } from '../api/problem.js';
import { useDashboard } from '../app/context.js';
import { panelOf, type Panel } from '../analytics/useAnalytics.js';

export interface SessionDrill {
  detail: Panel<SessionDetailResponse>;
  har: Panel<Har>;
  overview: Panel<OverviewResponse>;
}

const empty: Panel<never> = { data: null, error: null };
const EMPTY: SessionDrill = { detail: empty, har: empty, overview: empty };

/**
 * One session's detail (shaping history), its requests of the last `hours`
 * as HAR and its analytics overview, read in parallel: a part that fails
 * shows why while the others show their data. A refused key signs out.
 */
export function useSessionDrill(hash: string, hours: number) {
  const { client, reportError } = useDashboard();
  const [data, setData] = useState<SessionDrill>(EMPTY);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    const results = await Promise.allSettled([client.session(hash), client.har(hash, hours), client.overview(hours, hash)]);
    // A newer load (another range or session) started meanwhile: its answer wins.
    if (mine !== generation.current) return;
    const refused = results.find((r) => r.status === 'rejected' && r.reason instanceof ApiProblem && r.reason.unauthorized);
    if (refused?.status === 'rejected') {
      reportError(`Session ${hash}`, refused.reason);
      return;
    }
    const [detail, har, overview] = results;
    setData({ detail: panelOf(detail), har: panelOf(har), overview: panelOf(overview) });
    setLoading(false);
  }, [client, hash, hours, reportError]);

  useEffect(() => {
    setData(EMPTY);
    void load();
    return () => {
      generation.current++;
    };
  }, [load]);

  return { ...data, loading, refresh: load };
}
