import { STATUS_CODES } from 'node:http';
import type { CommandRecord } from '@downspin/db';
import { MAX_HAR_ENTRIES, type Har, type HarEntry, type RequestRow } from '@downspin/protocol';

const CREATOR = { name: 'downspin', version: '0.1.0' };

/** Rounds to microseconds: HAR viewers show ms with 3 decimals at most. */
const us = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * One telemetry row as a HAR entry. The proxy measured three times: the
 * delay it injected, the upstream's time to its response head, and the
 * total; `receive` is what is left of the total (body transfer, pacing),
 * so the timings add up to the measured total.
 */
export function harEntry(row: RequestRow): HarEntry {
  const blocked = us(row.injectedMs);
  const wait = us(row.upstreamMs);
  const receive = us(Math.max(0, row.totalMs - row.injectedMs - row.upstreamMs));
  const what = [row.shaping === '' ? 'no shaping' : row.shaping];
  if (row.fault !== '') what.push(`fault ${row.fault}`);
  if (row.error !== '') what.push(`error ${row.error}`);
  return {
    startedDateTime: new Date(row.ts).toISOString(),
    time: us(blocked + wait + receive),
    request: {
      method: row.method,
      // Telemetry keeps the host and the path without its query string.
      url: `http://${row.host === '' ? 'unknown' : row.host}${row.path}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [],
      queryString: [],
      headersSize: -1,
      bodySize: -1,
    },
    response: {
      status: row.status,
      statusText: STATUS_CODES[row.status] ?? '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [],
      content: { size: -1, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      // What crossed the client's connection, headers included (DevTools shows it as "transferred").
      _transferSize: row.bytesOut,
    },
    cache: {},
    timings: { blocked, dns: -1, connect: -1, ssl: -1, send: 0, wait, receive },
    comment: `downspin v${row.shapingVersion}: ${what.join('; ')}`,
    _downspin: {
      shaping: row.shaping,
      shapingVersion: row.shapingVersion,
      injectedMs: row.injectedMs,
      upstreamMs: row.upstreamMs,
      totalMs: row.totalMs,
      fault: row.fault,
      error: row.error,
      bytesIn: row.bytesIn,
      bytesOut: row.bytesOut,
    },
  };
}

/** The shaping history as the log's comment, oldest first: who changed what, and when. */
function historyComment(sessionHash: string, history: readonly CommandRecord[], leftOut: number): string {
  const lines = [`downspin session ${sessionHash}: shaping history (oldest first)`];
  for (const command of [...history].sort((a, b) => a.version - b.version)) {
    lines.push(`v${command.version} ${new Date(command.createdAt).toISOString()} ${command.kind}: ${JSON.stringify(command.body)}`);
  }
  if (history.length === 0) lines.push('(never shaped)');
  if (leftOut > 0) lines.push(`${leftOut} earlier requests left out: an export holds the latest ${MAX_HAR_ENTRIES}`);
  return lines.join('\n');
}

/**
 * A session's requests as HAR 1.2, from its telemetry rows (time order) and
 * its shaping history. Holds at most MAX_HAR_ENTRIES entries: a longer
 * session keeps its latest, and the log's comment says how many were left out.
 */
export async function sessionHar(rows: AsyncIterable<RequestRow>, sessionHash: string, history: readonly CommandRecord[]): Promise<Har> {
  let entries: HarEntry[] = [];
  let leftOut = 0;
  for await (const row of rows) {
    entries.push(harEntry(row));
    // Drop the oldest in batches, so a long session costs no more than twice the cap.
    if (entries.length >= 2 * MAX_HAR_ENTRIES) {
      leftOut += entries.length - MAX_HAR_ENTRIES;
      entries = entries.slice(-MAX_HAR_ENTRIES);
    }
  }
  if (entries.length > MAX_HAR_ENTRIES) {
    leftOut += entries.length - MAX_HAR_ENTRIES;
    entries = entries.slice(-MAX_HAR_ENTRIES);
  }
  return { log: { version: '1.2', creator: CREATOR, entries, comment: historyComment(sessionHash, history, leftOut) } };
}
