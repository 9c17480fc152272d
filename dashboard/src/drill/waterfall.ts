import type { HarEntry } from '@downspin/protocol';

/*
 * A session's requests as a waterfall: one row per HAR entry on a shared time
 * axis, each bar split into what downspin injected, the upstream's time and
 * the transfer (HAR `blocked` / `wait` / `receive`). Pure, so the scaling and
 * the cap are unit-tested without a browser.
 */

/** Most rows one waterfall draws: a longer session shows its latest, and says so. */
export const MAX_WATERFALL_ROWS = 500;

export const SEGMENT_KINDS = ['injected', 'upstream', 'transfer'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

export interface Segment {
  kind: SegmentKind;
  ms: number;
  /** Width on the shared axis, in percent of its span. */
  widthPercent: number;
}

export interface WaterfallRow {
  key: string;
  method: string;
  /** Path and query of the request URL (the whole URL when it does not parse). */
  path: string;
  status: number;
  fault: string;
  error: string;
  /** Where the bar starts and how long it is on the shared axis, in percent of its span. */
  leftPercent: number;
  widthPercent: number;
  segments: Segment[];
  /** The bar in words, e.g. "injected 300 ms, upstream 12 ms, transfer 3 ms". */
  words: string;
}

export interface Waterfall {
  rows: WaterfallRow[];
  /** Entries not drawn (the oldest), beyond the cap. */
  leftOut: number;
  /** Start of the axis (epoch ms) and its length. */
  startMs: number;
  spanMs: number;
}

/** A negative or missing HAR time (-1: not measured) counts as none. */
const ms = (value: number) => (Number.isFinite(value) && value > 0 ? value : 0);

export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

export function segmentWords(segments: readonly Pick<Segment, 'kind' | 'ms'>[]): string {
  return segments.map((s) => `${s.kind} ${Math.round(s.ms)} ms`).join(', ');
}

/**
 * The waterfall of `entries` (any order): the latest `cap` by start time,
 * oldest first, on an axis from the first start to the last end.
 */
export function waterfallOf(entries: readonly HarEntry[], cap = MAX_WATERFALL_ROWS): Waterfall {
  const timed = entries
    .map((entry, index) => ({ entry, index, start: Date.parse(entry.startedDateTime) }))
    .filter((t) => Number.isFinite(t.start))
    .sort((a, b) => a.start - b.start || a.index - b.index);
  const unparsable = entries.length - timed.length;
  const shown = timed.slice(Math.max(0, timed.length - Math.max(0, cap)));
  if (shown.length === 0) return { rows: [], leftOut: entries.length, startMs: 0, spanMs: 0 };

  const parts = shown.map(({ entry }) => {
    const { blocked, wait, receive } = entry.timings;
    return [
      { kind: 'injected' as const, ms: ms(blocked) },
      { kind: 'upstream' as const, ms: ms(wait) },
      { kind: 'transfer' as const, ms: ms(receive) },
    ];
  });
  const startMs = shown[0]!.start;
  const endMs = Math.max(...shown.map((s, i) => s.start + parts[i]!.reduce((sum, p) => sum + p.ms, 0)));
  // A session of one instant request still gets a visible axis.
  const spanMs = Math.max(1, endMs - startMs);
  const percent = (value: number) => (value / spanMs) * 100;

  const rows = shown.map(({ entry, index, start }, i) => ({
    key: `${start}-${index}`,
    method: entry.request.method,
    path: pathOf(entry.request.url),
    status: entry.response.status,
    fault: entry._downspin.fault,
    error: entry._downspin.error,
    leftPercent: percent(start - startMs),
    widthPercent: percent(parts[i]!.reduce((sum, p) => sum + p.ms, 0)),
    segments: parts[i]!.map((p) => ({ ...p, widthPercent: percent(p.ms) })),
    words: segmentWords(parts[i]!),
  }));
  return { rows, leftOut: timed.length - shown.length + unparsable, startMs, spanMs };
}
