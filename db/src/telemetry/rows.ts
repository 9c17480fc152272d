import type { RequestRow, WsRow } from '@downspin/protocol';
import type { ClientEventRow } from './types.js';

/*
 * Both stores store rows through these, so a hostile or broken row (huge
 * strings, lone surrogates, NaN) is stored the same, safe way everywhere and
 * can never make ClickHouse reject a whole batch. Limits match protocol/telemetry.ts.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Cheap first look: almost every string has no surrogate at all, and skips the replace. */
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/** A string of at most `max` UTF-16 units, with no lone surrogates (they have no UTF-8 form). */
export function text(value: unknown, max: number): string {
  const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  const cut = s.length > max ? s.slice(0, max) : s;
  return ANY_SURROGATE.test(cut) ? cut.replace(LONE_SURROGATE, '\uFFFD') : cut;
}

/** A non-negative safe integer (0 for anything else). */
export function count(value: unknown): number {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) && n > 0 ? Math.min(n, Number.MAX_SAFE_INTEGER) : 0;
}

/** A non-negative finite number (0 for anything else). */
export function ms(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function bounded(value: unknown, max: number): number {
  return Math.min(count(value), max);
}

export function sanitizeRequest(row: RequestRow): RequestRow {
  return {
    ts: count(row.ts),
    sessionHash: text(row.sessionHash, 32),
    proxyId: text(row.proxyId, 128),
    method: text(row.method, 16),
    host: text(row.host, 255),
    path: text(row.path, 2048),
    route: text(row.route, 2048),
    status: bounded(row.status, 999),
    upstreamMs: ms(row.upstreamMs),
    totalMs: ms(row.totalMs),
    injectedMs: ms(row.injectedMs),
    bytesIn: count(row.bytesIn),
    bytesOut: count(row.bytesOut),
    shaping: text(row.shaping, 512),
    shapingVersion: count(row.shapingVersion),
    fault: text(row.fault, 32) as RequestRow['fault'],
    error: text(row.error, 32) as RequestRow['error'],
    country: text(row.country, 8),
  };
}

export function sanitizeWebSocket(row: WsRow): WsRow {
  return {
    ts: count(row.ts),
    sessionHash: text(row.sessionHash, 32),
    proxyId: text(row.proxyId, 128),
    host: text(row.host, 255),
    path: text(row.path, 2048),
    route: text(row.route, 2048),
    durationMs: ms(row.durationMs),
    messagesIn: count(row.messagesIn),
    messagesOut: count(row.messagesOut),
    bytesIn: count(row.bytesIn),
    bytesOut: count(row.bytesOut),
    closeCode: bounded(row.closeCode, 4999),
    injectedMs: ms(row.injectedMs),
    shapingVersion: count(row.shapingVersion),
    fault: text(row.fault, 32) as WsRow['fault'],
    error: text(row.error, 32) as WsRow['error'],
    country: text(row.country, 8),
  };
}

const optionalText = (value: string | undefined, max: number) => (value === undefined ? undefined : text(value, max));
const optionalMs = (value: number | undefined) => (value === undefined ? undefined : ms(value));

/** Keeps exactly the fields the event's type defines; absent optional fields stay absent. */
export function sanitizeClientEvent(row: ClientEventRow): ClientEventRow {
  const base = { sessionHash: text(row.sessionHash, 32), ts: count(row.ts), url: text(row.url, 2048) };
  switch (row.type) {
    case 'page_view':
      return withoutUndefined({ type: row.type, ...base, title: optionalText(row.title, 512), referrer: optionalText(row.referrer, 2048) });
    case 'click':
      return withoutUndefined({ type: row.type, ...base, target: text(row.target, 256), text: optionalText(row.text, 256) });
    case 'navigation':
      return withoutUndefined({ type: row.type, ...base, from: optionalText(row.from, 2048) });
    case 'unload':
      return { type: row.type, ...base, timeOnPageMs: count(row.timeOnPageMs) };
    case 'timing':
      return withoutUndefined({
        type: row.type,
        ...base,
        ttfbMs: optionalMs(row.ttfbMs),
        domContentLoadedMs: optionalMs(row.domContentLoadedMs),
        loadMs: optionalMs(row.loadMs),
        transferBytes: row.transferBytes === undefined ? undefined : count(row.transferBytes),
      });
  }
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/** An error: a 5xx, no response at all (status 0), or an error kind. Same rule as the ClickHouse rollup. */
export function isError(row: Pick<RequestRow, 'status' | 'error'>): boolean {
  return row.status >= 500 || row.status === 0 || row.error !== '';
}
