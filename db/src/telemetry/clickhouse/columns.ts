import type { RequestRow, WsRow } from '@downspin/protocol';
import { sanitizeClientEvent, sanitizeRequest, sanitizeWebSocket } from '../rows.js';
import type { ClientEventRow, TelemetryKind } from '../types.js';

/*
 * Row shapes as ClickHouse holds them (snake_case, batch columns) and back.
 * Rows travel as JSONEachRow bodies, never inside SQL text. UInt64 columns
 * come back as strings, hence the Number() calls.
 */

type Record_ = Record<string, unknown>;

export const TABLES: Record<TelemetryKind, string> = {
  requests: 'requests',
  websockets: 'ws_connections',
  client_events: 'client_events',
};

export const REQUEST_COLUMNS =
  'ts, session_hash, proxy_id, method, host, path, route, status, upstream_ms, total_ms, injected_ms, ' +
  'bytes_in, bytes_out, shaping, shaping_version, fault, error, country';
export const WS_COLUMNS =
  'ts, session_hash, proxy_id, host, path, route, duration_ms, messages_in, messages_out, bytes_in, bytes_out, ' +
  'close_code, injected_ms, shaping_version, fault, error, country';
export const CLIENT_EVENT_COLUMNS =
  'ts, session_hash, type, url, title, referrer, target, text, from_url, time_on_page_ms, ttfb_ms, ' +
  'dom_content_loaded_ms, load_ms, transfer_bytes';

export function encodeRequest(input: RequestRow, batchId: string, seq: number): Record_ {
  const row = sanitizeRequest(input);
  return {
    ts: row.ts,
    session_hash: row.sessionHash,
    proxy_id: row.proxyId,
    method: row.method,
    host: row.host,
    path: row.path,
    route: row.route,
    status: row.status,
    upstream_ms: row.upstreamMs,
    total_ms: row.totalMs,
    injected_ms: row.injectedMs,
    bytes_in: row.bytesIn,
    bytes_out: row.bytesOut,
    shaping: row.shaping,
    shaping_version: row.shapingVersion,
    fault: row.fault,
    error: row.error,
    country: row.country,
    batch_id: batchId,
    batch_seq: seq,
  };
}

export function decodeRequest(r: Record_): RequestRow {
  return {
    ts: Number(r.ts),
    sessionHash: String(r.session_hash),
    proxyId: String(r.proxy_id),
    method: String(r.method),
    host: String(r.host),
    path: String(r.path),
    route: String(r.route),
    status: Number(r.status),
    upstreamMs: Number(r.upstream_ms),
    totalMs: Number(r.total_ms),
    injectedMs: Number(r.injected_ms),
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    shaping: String(r.shaping),
    shapingVersion: Number(r.shaping_version),
    fault: String(r.fault) as RequestRow['fault'],
    error: String(r.error) as RequestRow['error'],
    country: String(r.country),
  };
}

export function encodeWebSocket(input: WsRow, batchId: string, seq: number): Record_ {
  const row = sanitizeWebSocket(input);
  return {
    ts: row.ts,
    session_hash: row.sessionHash,
    proxy_id: row.proxyId,
    host: row.host,
    path: row.path,
    route: row.route,
    duration_ms: row.durationMs,
    messages_in: row.messagesIn,
    messages_out: row.messagesOut,
    bytes_in: row.bytesIn,
    bytes_out: row.bytesOut,
    close_code: row.closeCode,
    injected_ms: row.injectedMs,
    shaping_version: row.shapingVersion,
    fault: row.fault,
    error: row.error,
    country: row.country,
    batch_id: batchId,
    batch_seq: seq,
  };
}

export function decodeWebSocket(r: Record_): WsRow {
  return {
    ts: Number(r.ts),
    sessionHash: String(r.session_hash),
    proxyId: String(r.proxy_id),
    host: String(r.host),
    path: String(r.path),
    route: String(r.route),
    durationMs: Number(r.duration_ms),
    messagesIn: Number(r.messages_in),
    messagesOut: Number(r.messages_out),
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    closeCode: Number(r.close_code),
    injectedMs: Number(r.injected_ms),
    shapingVersion: Number(r.shaping_version),
    fault: String(r.fault) as WsRow['fault'],
    error: String(r.error) as WsRow['error'],
    country: String(r.country),
  };
}

export function encodeClientEvent(input: ClientEventRow, batchId: string, seq: number): Record_ {
  const e = sanitizeClientEvent(input);
  return {
    ts: e.ts,
    session_hash: e.sessionHash,
    type: e.type,
    url: e.url,
    title: e.type === 'page_view' ? (e.title ?? null) : null,
    referrer: e.type === 'page_view' ? (e.referrer ?? null) : null,
    target: e.type === 'click' ? e.target : null,
    text: e.type === 'click' ? (e.text ?? null) : null,
    from_url: e.type === 'navigation' ? (e.from ?? null) : null,
    time_on_page_ms: e.type === 'unload' ? e.timeOnPageMs : null,
    ttfb_ms: e.type === 'timing' ? (e.ttfbMs ?? null) : null,
    dom_content_loaded_ms: e.type === 'timing' ? (e.domContentLoadedMs ?? null) : null,
    load_ms: e.type === 'timing' ? (e.loadMs ?? null) : null,
    transfer_bytes: e.type === 'timing' ? (e.transferBytes ?? null) : null,
    batch_id: batchId,
    batch_seq: seq,
  };
}

const maybeText = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
const maybeNumber = (value: unknown) => (value === null || value === undefined ? undefined : Number(value));

/** Rebuilds the event from its columns; a stored row of an unknown type is returned as a navigation without a source. */
export function decodeClientEvent(r: Record_): ClientEventRow {
  const base = { ts: Number(r.ts), sessionHash: String(r.session_hash), url: String(r.url) };
  const type = String(r.type);
  const event =
    type === 'page_view'
      ? { type, ...base, title: maybeText(r.title), referrer: maybeText(r.referrer) }
      : type === 'click'
        ? { type, ...base, target: String(r.target ?? ''), text: maybeText(r.text) }
        : type === 'unload'
          ? { type, ...base, timeOnPageMs: Number(r.time_on_page_ms ?? 0) }
          : type === 'timing'
            ? {
                type,
                ...base,
                ttfbMs: maybeNumber(r.ttfb_ms),
                domContentLoadedMs: maybeNumber(r.dom_content_loaded_ms),
                loadMs: maybeNumber(r.load_ms),
                transferBytes: maybeNumber(r.transfer_bytes),
              }
            : { type: 'navigation', ...base, from: maybeText(r.from_url) };
  // The sanitizer drops the absent optional fields, giving the same shape the memory store keeps.
  return sanitizeClientEvent(event as ClientEventRow);
}
