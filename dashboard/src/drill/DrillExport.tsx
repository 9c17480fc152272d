import { useState } from 'react';
import { saveFile } from '../analytics/download.js';
import { useDashboard } from '../app/context.js';

type Format = 'har' | 'csv';

/** The session's requests of the range as a file: HAR (opens in DevTools' network panel) or CSV rows. */
export function DrillExport({ hash, hours, words }: { hash: string; hours: number; words: string }) {
  const { client, notify, reportError } = useDashboard();
  const [working, setWorking] = useState<Format | null>(null);
  const run = async (format: Format) => {
    setWorking(format);
    try {
      const file = format === 'har' ? await client.exportHar(hash, hours) : await client.exportRequests('csv', hours, hash);
      saveFile(file.blob, file.filename);
      notify('success', `Saved ${file.filename} (requests of session ${hash} in ${words}).`);
    } catch (error) {
      reportError(`Export ${format.toUpperCase()} of session ${hash}`, error);
    } finally {
      setWorking(null);
    }
  };
  return (
    <div className="row" role="group" aria-label={`Export session ${hash}`}>
      <button type="button" onClick={() => void run('har')} disabled={working !== null} title="HAR 1.2 with what downspin injected: opens in DevTools' network panel">
        {working === 'har' ? 'Exporting…' : 'Export HAR'}
      </button>
      <button type="button" onClick={() => void run('csv')} disabled={working !== null}>
        {working === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
    </div>
  );
}
