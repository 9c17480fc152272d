import type { LoadEvent, PhaseSummary, StartEvent, SummaryEvent } from './generator.js';
import type { Counts } from './stats.js';

/**
 * Text lines are `key=value` words in fixed order, padded into columns:
 * easy to read, and a test splits them on spaces and `=`.
 *
 *   second=3   phase=spike     target=80/s   sent=80    ok=24    429=56    other=0   skipped=0   avg=1.9ms   p95=4.2ms
 *   summary    phase=spike     target=80/s   sent=160   ok=60    429=100   other=0   skipped=0   avg=1.8ms   p95=4.0ms
 *
 * JSON lines are the events themselves, one object per line.
 */
export function formatEvent(event: LoadEvent, json: boolean): string[] {
  if (json) return [JSON.stringify(event)];
  switch (event.type) {
    case 'start':
      return [formatStart(event)];
    case 'second':
      return [row([`second=${event.second}`, 10], [`phase=${event.phase}`, 16], [`target=${event.targetRps}/s`, 14], ...countCells(event))];
    case 'summary':
      return formatSummary(event);
  }
}

function formatStart(event: StartEvent): string {
  const phases = event.phases.map((phase) => `${phase.name} ${phase.rps}/s for ${phase.seconds}s`).join(', ');
  return (
    `downspin load: ${event.url} session=${event.session}: ${phases}; ` +
    `concurrency ${event.concurrency}, at most ${event.maxRequests} requests and ${event.maxSeconds}s`
  );
}

function formatSummary(event: SummaryEvent): string[] {
  const phaseRow = (phase: PhaseSummary): string =>
    row(['summary', 10], [`phase=${phase.phase}`, 16], [`target=${phase.targetRps}/s`, 14], ...countCells(phase));
  const lines = [...event.phases.map(phaseRow), row(['summary', 10], ['phase=total', 16], ['', 14], ...countCells(event.total))];
  lines.push(`stopped=${event.stopReason} after ${(event.elapsedMs / 1000).toFixed(1)}s`);
  const kinds = Object.entries(event.total.otherKinds).sort((a, b) => b[1] - a[1]);
  if (kinds.length > 0) lines.push(`other: ${kinds.map(([kind, count]) => `${kind} ×${count}`).join(', ')}`);
  if ((event.total.otherKinds['status 403'] ?? 0) > 0) {
    lines.push(
      'note: 403 after 429s usually means the abuse guard banned this session (50 rate-limit violations ban it for 5 minutes); ' +
        'use another --session, or run the proxy with ABUSE_GUARD=off',
    );
  }
  return lines;
}

function countCells(counts: Counts): [string, number][] {
  return [
    [`sent=${counts.sent}`, 11],
    [`ok=${counts.ok}`, 10],
    [`429=${counts.rateLimited}`, 10],
    [`other=${counts.other}`, 11],
    [`skipped=${counts.skipped}`, 13],
    [`avg=${ms(counts.avgMs)}`, 14],
    [`p95=${ms(counts.p95Ms)}`, 0],
  ];
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)}ms`;
}

function row(...cells: [string, number][]): string {
  return cells
    .map(([text, width]) => text.padEnd(width))
    .join(' ')
    .trimEnd();
}
