import type { HistoryEntry } from '@downspin/protocol';
import { describeHistoryEntry } from './history.js';

/** A session's stored shaping commands, newest first: version, when, and what changed (a scenario by name and version). */
export function ShapingHistory({ history }: { history: readonly HistoryEntry[] }) {
  if (history.length === 0) return <p className="empty">Never shaped: the session has run with no shaping.</p>;
  return (
    <ol className="shaping-history" aria-label="Shaping history, newest first">
      {history.map((h) => (
        <li key={h.version} data-version={h.version} data-kind={h.kind}>
          <span className="badge">v{h.version}</span>
          <time dateTime={h.createdAt}>{new Date(h.createdAt).toLocaleString()}</time>
          <span className="history-words">{describeHistoryEntry(h)}</span>
        </li>
      ))}
    </ol>
  );
}
