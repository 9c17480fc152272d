import type { ApplyResult, HistoryEntry, SessionView } from '@downspin/protocol';

/** Columns padded to their widest cell; the last column is not padded (it may be long). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** 1536 → "1.5 KB" (powers of 1024, as transfer sizes are usually read). */
export function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An ISO time as "5s ago", "3m ago", "2h ago", "4d ago"; "-" when never. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** `downspin sessions ls`: one row per session, most recently seen first. */
export function sessionTable(sessions: readonly SessionView[], now = Date.now()): string[] {
  if (sessions.length === 0) return ['no sessions'];
  return table(
    ['HASH', 'MODE', 'RISK', 'REQUESTS', 'IN', 'OUT', 'BROWSER', 'COUNTRY', 'CONSENT', 'LAST SEEN', 'SHAPING'],
    sessions.map((s) => [
      s.hash,
      s.mode,
      String(s.risk),
      String(s.requests),
      bytes(s.bytesIn),
      bytes(s.bytesOut),
      s.browser || '-',
      s.country || '-',
      s.consent ? 'yes' : 'no',
      ago(s.lastSeen, now),
      s.shaping,
    ]),
  );
}

/** `downspin sessions show`: the session, then its latest commands. */
export function sessionDetail(session: SessionView, history: readonly HistoryEntry[]): string[] {
  const lines = [
    ...table(
      ['session', session.hash],
      [
        ['mode', `${session.mode} (version ${session.version})`],
        ['shaping', session.shaping],
        ['risk', `${session.risk} (rate-limit violations ${session.violations})`],
        ['requests', `${session.requests} (in ${bytes(session.bytesIn)}, out ${bytes(session.bytesOut)})`],
        ['browser', session.browser || '-'],
        ['user agent', session.userAgent || '-'],
        ['country', session.country || '-'],
        ['consent', session.consent ? 'yes' : 'no'],
        ['first seen', session.firstSeen ?? '-'],
        ['last seen', session.lastSeen ?? '-'],
        ['banned until', session.bannedUntil ?? '-'],
      ],
    ),
  ];
  if (history.length === 0) return [...lines, '', 'no commands yet'];
  return [
    ...lines,
    '',
    ...table(
      ['VERSION', 'COMMAND', 'AT', 'BODY'],
      history.map((h) => [String(h.version), h.kind, h.createdAt, JSON.stringify(h.body)]),
    ),
  ];
}

/** One line for a shaping command's answer. */
export function appliedLine(session: SessionView, applied: ApplyResult): string {
  const head = `${session.hash}: ${session.mode} (version ${applied.version}): ${session.shaping}`;
  if (!applied.acknowledged) {
    const by = applied.appliedBy.length > 0 ? `; applied by ${applied.appliedBy.join(', ')}` : '';
    return `${head}${by}; NOT acknowledged in time by ${applied.pending.join(', ')}`;
  }
  if (applied.appliedBy.length === 0) return `${head}; stored (no live proxy to apply it now)`;
  return `${head}; applied by ${applied.appliedBy.join(', ')}`;
}
