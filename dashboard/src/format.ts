import { HIGH_RISK_THRESHOLD } from '@downspin/protocol';

/** How numbers, sizes, times and places read on the dashboard (English, compact where large). */

const DASH = '—';

const standard = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** 1,234 · 123.5K above a hundred thousand. */
export function formatCount(value: number): string {
  return Math.abs(value) >= 100_000 ? compact.format(value) : standard.format(value);
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** Decimal units, as browsers' network panels show them: 999 B, 1.5 kB, 12 MB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return DASH;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits).replace(/\.0+$|(\.\d*?)0+$/, '$1')} ${BYTE_UNITS[unit]}`;
}

/** 87 ms · 2.05 s; a dash when there is no figure (no requests in the range). */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A share (0–1) as a percentage: 0 %, 0.4 %, 12 %. */
export function formatPercent(rate: number): string {
  if (!Number.isFinite(rate)) return DASH;
  const percent = rate * 100;
  if (percent === 0) return '0 %';
  return `${percent < 10 ? percent.toFixed(1).replace(/\.0$/, '') : Math.round(percent)} %`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", else the date. */
export function formatRelative(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return DASH;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return DASH;
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(at).toLocaleDateString('en', { month: 'short', day: 'numeric' });
}

/** Local clock time for minute and hour buckets, the date for day buckets. */
export function formatBucketTime(iso: string, bucket: 'minute' | 'hour' | 'day'): string {
  const date = new Date(iso);
  if (bucket === 'day') return date.toLocaleDateString('en', { month: 'short', day: 'numeric' });
  return date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

let regionNames: Intl.DisplayNames | undefined;

/** Countries by name; the proxy's own markers in words ("LO" loopback, "LAN" private network, "" unknown). */
export function countryLabel(code: string | null | undefined): string {
  if (code === 'LO') return 'Loopback';
  if (code === 'LAN') return 'Private network';
  if (code === null || code === undefined || code === '') return 'Unknown';
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

const MEDIUM_RISK_THRESHOLD = 40;

export type RiskLevel = 'low' | 'medium' | 'high';

export function riskLevel(risk: number): RiskLevel {
  if (risk >= HIGH_RISK_THRESHOLD) return 'high';
  if (risk >= MEDIUM_RISK_THRESHOLD) return 'medium';
  return 'low';
}
