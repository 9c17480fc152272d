import type { ReactNode } from 'react';
import type { Panel } from './useAnalytics.js';

/** A panel's body: its error in words, a loading line, or the content (the analytics view and a session's drill-down). */
export function PanelBody<T>({ panel, loading, children }: { panel: Panel<T>; loading: boolean; children(data: T): ReactNode }) {
  if (panel.error !== null)
    return (
      <p className="message error" role="alert">
        {panel.error}
      </p>
    );
  if (panel.data === null) return <p className="muted">{loading ? 'Loading…' : 'No data.'}</p>;
  return <>{children(panel.data)}</>;
}
