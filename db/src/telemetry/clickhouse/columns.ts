import type { RequestRow, WsRow } from '@downspin/protocol';
import { sanitizeClientEvent, sanitizeRequest, sanitizeWebSocket } from '../rows.js';
import type { ClientEventRow, TelemetryKind } from '../types.js';
import type { RowBinaryWriter } from './row-binary.js';

/*
 * Row shapes as ClickHouse holds them (snake_case, batch columns) and back.
 * Rows travel as RowBinary bodies in the order of the *_INSERT_COLUMNS
 * lists, never inside SQL text. UInt64 columns come back as strings, hence
 * the Number() calls.
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

/** The columns an insert names, in the order the write* functions below put them. */
export const INSERT_COLUMNS: Record<TelemetryKind, string> = {
  requests: `${REQUEST_COLUMNS}, batch_id, batch_seq`,
  websockets: `${WS_COLUMNS}, batch_id, batch_seq`,
  client_events: `${CLIENT_EVENT_COLUMNS}, batch_id, batch_seq`,
};

/** The columns both the requests and ws_connections tables end with, in that order. */
function writeTail(w: RowBinaryWriter, row: RequestRow | WsRow, batchId: string, seq: number): void {
  w.uint64(row.shapingVersion);
  w.string(row.fault);
  w.string(row.error);
  w.string(row.country);
  w.string(batchId);
  w.uint32(seq);
}

export function writeRequest(w: RowBinaryWriter, input: RequestRow, batchId: string, seq: number): void {
  const row = sanitizeRequest(input);
  w.uint64(row.ts);
  w.string(row.sessionHash);
  w.string(row.proxyId);
  w.string(row.method);
  w.string(row.host);
  w.string(row.path);
  w.string(row.route);
  w.uint16(row.status);
  w.float64(row.upstreamMs);
  w.float64(row.totalMs);
  w.float64(row.injectedMs);
  w.uint64(row.bytesIn);
  w.uint64(row.bytesOut);
  w.string(row.shaping);
  writeTail(w, row, batchId, seq);
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

export function writeWebSocket(w: RowBinaryWriter, input: WsRow, batchId: string, seq: number): void {
  const row = sanitizeWebSocket(input);
  w.uint64(row.ts);
  w.string(row.sessionHash);
  w.string(row.proxyId);
  w.string(row.host);
  w.string(row.path);
  w.string(row.route);
  w.float64(row.durationMs);
  w.uint64(row.messagesIn);
  w.uint64(row.messagesOut);
  w.uint64(row.bytesIn);
  w.uint64(row.bytesOut);
  w.uint16(row.closeCode);
  w.float64(row.injectedMs);
  writeTail(w, row, batchId, seq);
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

export function writeClientEvent(w: RowBinaryWriter, input: ClientEventRow, batchId: string, seq: number): void {
  const e = sanitizeClientEvent(input);
  w.uint64(e.ts);
  w.string(e.sessionHash);
  w.string(e.type);
  w.string(e.url);
  w.nullableString(e.type === 'page_view' ? e.title : undefined);
  w.nullableString(e.type === 'page_view' ? e.referrer : undefined);
  w.nullableString(e.type === 'click' ? e.target : undefined);
  w.nullableString(e.type === 'click' ? e.text : undefined);
  w.nullableString(e.type === 'navigation' ? e.from : undefined);
  w.nullableUint64(e.type === 'unload' ? e.timeOnPageMs : undefined);
  w.nullableFloat64(e.type === 'timing' ? e.ttfbMs : undefined);
  w.nullableFloat64(e.type === 'timing' ? e.domContentLoadedMs : undefined);
  w.nullableFloat64(e.type === 'timing' ? e.loadMs : undefined);
  w.nullableUint64(e.type === 'timing' ? e.transferBytes : undefined);
  w.string(batchId);
  w.uint32(seq);
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
